// "Écrire à la personne": POST /api/cip/beneficiaries/:id/messages (a ready-made message, sent in
// the person's language, or a free text; signed with the CIP's first name), its preview, and
// GET /api/cip/beneficiaries/:id/staff-messages (what staff wrote to the person, with each
// message's status). Within one's scope; the list's reading is audited.
import { z } from 'zod';
import { cipMessageLines } from '../../cards/cipMessages';
import { isLanguageCode, language as languageOf, type LanguageCode } from '../i18n/languages';
import {
  cannotWrite,
  CIP_MESSAGE_KIND,
  firstNameOf,
  PAPERS,
  queueCipMessage,
  type CipMessageContent,
  type CipMessagePayload,
} from '../services/cipMessages';
import type { QuietHours } from '../services/quietHours';
import { ANY_STAFF, conflict, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { caseInScope } from './scope';
import { idParams, int, list, textOrNull, timestamp } from './schemas';
import { aboutCase } from './handlers';

export interface CipMessageRouteOptions {
  whatsapp: boolean;
  quiet?: QuietHours;
  /** after a message is queued: wake the senders */
  afterQueue?: () => void;
}

/**
 * A day from today on, by the application's clock (UTC; a day behind is let through, for the hours
 * around midnight in Paris). The clock is the API's (tests move it): set when the routes are made.
 */
let clock: () => Date = () => new Date();
const futureDay = z.iso
  .date()
  .refine((d) => d >= new Date(clock().getTime() - 86_400_000).toISOString().slice(0, 10), 'must not be in the past');
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time, e.g. 14:30');
/** The CIP's own number, written as they like it (06 12 34 56 78, +33 2 54 ...). */
const officePhone = z
  .string()
  .trim()
  .regex(/^\+?[\d .-]{6,24}$/, 'must be a phone number');

const messageBody = z.discriminatedUnion('template', [
  z.object({ template: z.literal('received') }).strict(),
  z.object({ template: z.literal('comeToOffice'), day: futureDay, time }).strict(),
  z
    .object({
      template: z.literal('bringPapers'),
      papers: z.array(z.enum(PAPERS)).min(1, 'choose at least one paper').max(PAPERS.length),
    })
    .strict(),
  z.object({ template: z.literal('callMe'), phone: officePhone }).strict(),
  z.object({ template: z.literal('willCall'), day: futureDay }).strict(),
  z.object({ template: z.literal('free'), text: z.string().trim().min(1, 'must not be empty').max(1000) }).strict(),
]);
type MessageBody = z.infer<typeof messageBody>;

const content = (body: MessageBody): CipMessageContent => (body.template === 'free' ? { text: body.text } : body);

const preview = z.object({
  /** the person's language */
  language: z.string(),
  rtl: z.boolean(),
  /** the message as the person will read it, and its French */
  text: z.string(),
  french: z.string(),
});

/**
 * queued | quiet_hours (waits for their end) | waiting_for_person (WhatsApp: until they write) | sending | sent |
 * delivered | read | failed
 */
const staffMessage = z.object({
  id: int,
  state: z.string(),
  channel: z.string(),
  template: z.string(),
  /** the French of the message, and its signature */
  french: z.string(),
  from: z.string(),
  createdAt: timestamp,
  sentAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  readAt: timestamp.nullable(),
  failedAt: timestamp.nullable(),
  error: textOrNull,
});

/** The refusals of writing to the person (and of its preview), for the OpenAPI document. */
const WRITE_ERRORS = {
  404: 'Not in your scope',
  409: 'The person cannot be written to (erased, said stop, unreachable, no consent)',
};

function stateOf(m: { status: string; channel: string; nextAttemptAt: Date | null }, now: Date): string {
  if (m.status !== 'queued') return m.status;
  if (m.nextAttemptAt === null) return 'waiting_for_person';
  return m.nextAttemptAt > now ? 'quiet_hours' : 'queued';
}

export function cipMessageRoutes(api: Api, { db, now }: ApiDeps, options: CipMessageRouteOptions): void {
  const anyStaff = routesFor(api, 'beneficiaries', ANY_STAFF);
  const prisma = db.prisma;
  clock = now;

  /** The person, in scope, and whether they may be written to; refusals as 409 with their reason. */
  async function target(staff: Parameters<typeof caseInScope>[1], id: number) {
    const b = await caseInScope(prisma, staff, id);
    const hasChat = (await prisma.conversationRef.count({ where: { beneficiaryId: b.id } })) > 0;
    const why = cannotWrite({ ...b, hasChat }, options.whatsapp);
    if (why) throw conflict(`message.${why}`);
    return b;
  }

  const lines = (body: MessageBody, from: string, lng: LanguageCode) =>
    cipMessageLines(content(body), from, lng).join('\n');

  anyStaff.post(
    '/api/cip/beneficiaries/:id/messages/preview',
    'The message as the person will read it (in their language) and its French, before it is sent',
    { params: idParams, body: messageBody, response: preview, errors: WRITE_ERRORS },
    async (ctx, { params, body }) => {
      const b = await target(ctx.staff, params.id);
      const lng: LanguageCode = isLanguageCode(b.language) ? b.language : 'fr';
      const from = firstNameOf(ctx.staff.name);
      return { language: lng, rtl: languageOf(lng).rtl, text: lines(body, from, lng), french: lines(body, from, 'fr') };
    },
  );

  anyStaff.post(
    '/api/cip/beneficiaries/:id/messages',
    'Write to the person: a ready-made message (sent in their language) or a free text, ' +
      "signed with the CIP's first name; goes through the outbox",
    { params: idParams, body: messageBody, status: 201, response: staffMessage, errors: WRITE_ERRORS },
    async (ctx, { params, body }) => {
      const b = await target(ctx.staff, params.id);
      const id = await queueCipMessage(prisma, {
        beneficiaryId: b.id,
        staff: ctx.staff,
        content: content(body),
        now: ctx.now,
        quiet: options.quiet,
      });
      await ctx.audit({
        action: 'create',
        resource: 'staff_message',
        resourceId: id,
        beneficiaryId: b.id,
        detail: { template: body.template },
      });
      options.afterQueue?.();
      const row = await prisma.message.findUniqueOrThrow({ where: { id } });
      return view(row, ctx.now);
    },
  );

  anyStaff.get(
    '/api/cip/beneficiaries/:id/staff-messages',
    'What staff wrote to the person, newest first, with where each message is (audited)',
    { params: idParams, response: list(staffMessage) },
    async (ctx, { params }) => {
      const b = await caseInScope(prisma, ctx.staff, params.id);
      const rows = await prisma.message.findMany({
        where: { beneficiaryId: b.id, direction: 'out', kind: CIP_MESSAGE_KIND },
        orderBy: { id: 'desc' },
        take: 50,
      });
      await ctx.audit({
        action: 'read',
        resource: 'staff_messages',
        ...aboutCase(b),
        detail: { messages: rows.length },
      });
      return { items: rows.map((r) => view(r, ctx.now)), total: rows.length };
    },
  );
}

function view(
  row: {
    id: number;
    status: string;
    channel: string;
    nextAttemptAt: Date | null;
    payload: unknown;
    createdAt: Date;
    sentAt: Date | null;
    deliveredAt: Date | null;
    readAt: Date | null;
    failedAt: Date | null;
    errorTitle: string | null;
  },
  now: Date,
) {
  const payload = row.payload as CipMessagePayload;
  const c = payload.content;
  return {
    id: row.id,
    state: stateOf(row, now),
    channel: row.channel,
    template: 'template' in c ? c.template : 'free',
    french: cipMessageLines(c, payload.from, 'fr')[0],
    from: payload.from,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    deliveredAt: row.deliveredAt,
    readAt: row.readAt,
    failedAt: row.failedAt,
    error: row.errorTitle,
  };
}
