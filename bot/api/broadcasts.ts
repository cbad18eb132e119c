// Workshop invitations (broadcasts): POST one (a session, an audience, an idempotency key: the
// same key again sends nothing new), GET what became of it: messages queued, sent, delivered,
// read, failed; answers accepted, waitlisted, declined; people skipped and why; and the list of
// recipients. A CIP broadcasts to their own cases; coordinators and admins to everyone.
import { z } from 'zod';
import type { Prisma } from '../db/client';
import { broadcastReport, createBroadcast, previewBroadcast } from '../services/broadcasts';
import type { QuietHours } from '../services/quietHours';
import { ANY_STAFF, conflict, notFound, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { byId, given, orNotFound, page } from './handlers';
import { caseScope } from './scope';
import { ageGroup, countsOf, id, int, language, paging, stage, text, textOrNull, timestamp } from './schemas';

const audience = z
  .object({
    /** everyone active (in my scope) */
    all: z.literal(true).optional(),
    stage: stage.optional(),
    ageGroup: ageGroup.optional(),
    language: language.optional(),
    /** people with a placement (planned or active) at this structure */
    structureId: id.optional(),
    ids: z.array(id).min(1).max(20000).optional(),
  })
  .refine(
    (a) => a.all || a.stage || a.ageGroup || a.language || a.structureId || a.ids,
    'say who: all, or at least one of stage, ageGroup, language, structureId, ids',
  );

const createBody = z.object({
  sessionId: id,
  audience,
  /** the same key again sends nothing new (a retried request, a double click) */
  idempotencyKey: text(200).min(8, 'must be at least 8 characters'),
});

const counts = countsOf([
  'audience',
  'invited',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'accepted',
  'waitlisted',
  'declined',
  'skipped',
]).extend({ skippedBy: z.record(z.string(), int) });

const recipient = z.object({
  beneficiaryId: int,
  firstName: textOrNull,
  language: z.string(),
  status: z.string(),
  reason: textOrNull,
  message: z.object({ status: z.string(), channel: z.string(), errorCode: int.nullable() }).nullable(),
  answer: textOrNull,
  answeredAt: timestamp.nullable(),
});

const report = z.object({
  id: int,
  sessionId: int,
  createdById: int,
  createdAt: timestamp,
  audience: z.unknown(),
  counts,
  recipients: z.object({ items: z.array(recipient), total: int }),
});

export interface BroadcastRouteOptions {
  whatsapp: boolean;
  quiet?: QuietHours;
  /** after a broadcast is queued: wake the senders */
  afterBroadcast?: () => void;
}

export function broadcastRoutes(api: Api, deps: ApiDeps, options: BroadcastRouteOptions): void {
  const anyStaff = routesFor(api, 'broadcasts', ANY_STAFF);
  const myBroadcast = byId('Broadcast', (id, ctx) => prisma.broadcast.findFirst({ where: { id, ...mine(ctx.staff) } }));
  const { db } = deps;
  const prisma = db.prisma;
  const mine = (staff: { id: number; role: string }): Prisma.BroadcastWhereInput =>
    staff.role === 'cip' ? { createdById: staff.id } : {};

  anyStaff.post(
    '/api/cip/broadcasts',
    'Invite an audience to a workshop session (once per idempotency key)',
    {
      body: createBody,
      response: z.object({
        broadcastId: int,
        invited: int,
        skipped: int,
        created: z.boolean(),
      }),
      status: 201,
    },
    async (ctx, { body }) => {
      const { all: _all, ...filters } = body.audience;
      const outcome = await createBroadcast(
        db,
        {
          sessionId: body.sessionId,
          audience: filters,
          idempotencyKey: body.idempotencyKey,
          staffId: ctx.staff.id,
          scope: caseScope(ctx.staff),
        },
        { now: ctx.now, quiet: options.quiet, whatsapp: options.whatsapp },
      );
      if (outcome.status !== 'created' && outcome.status !== 'existing') {
        if (outcome.status === 'session_not_found') throw notFound('Session');
        throw conflict(outcome.status === 'session_closed' ? 'broadcast.sessionClosed' : 'broadcast.keyReused');
      }
      await ctx.audit({
        action: 'create',
        resource: 'broadcast',
        resourceId: outcome.broadcastId,
        detail: { invited: outcome.invited, skipped: outcome.skipped, created: outcome.status === 'created' },
      });
      if (outcome.status === 'created') options.afterBroadcast?.();
      return {
        broadcastId: outcome.broadcastId,
        invited: outcome.invited,
        skipped: outcome.skipped,
        created: outcome.status === 'created',
      };
    },
  );

  anyStaff.post(
    '/api/cip/broadcasts/preview',
    'What a broadcast would do, sending nothing: how many people, by language, and who would be skipped and why',
    {
      body: createBody.omit({ idempotencyKey: true }),
      response: z.object({
        invited: int,
        byLanguage: z.record(z.string(), int),
        skipped: z.record(z.string(), int),
      }),
      errors: { 404: 'No such session', 409: 'The session is cancelled or has started' },
    },
    async (ctx, { body }) => {
      const { all: _all, ...filters } = body.audience;
      const outcome = await previewBroadcast(
        db,
        { sessionId: body.sessionId, audience: filters, scope: caseScope(ctx.staff) },
        { now: ctx.now, quiet: options.quiet, whatsapp: options.whatsapp },
      );
      if ('status' in outcome)
        throw outcome.status === 'session_not_found' ? notFound('Session') : conflict('broadcast.sessionClosed');
      return outcome;
    },
  );

  anyStaff.get(
    '/api/cip/broadcasts/:id',
    'What became of a broadcast: counts, and its recipients',
    { record: myBroadcast, query: z.object({ ...paging }), response: report },
    async (ctx, { found: broadcast, query }) => {
      const found = await orNotFound('Broadcast', broadcastReport(prisma, broadcast.id));
      const where = { broadcastId: broadcast.id };
      const recipients = { beneficiary: { select: { firstName: true, language: true } } };
      const { items: rows, total } = await page(query, (window) => [
        prisma.broadcastRecipient.findMany({ where, orderBy: { id: 'asc' }, ...window, include: recipients }),
        prisma.broadcastRecipient.count({ where }),
      ]);
      const messages = await prisma.message.findMany({
        where: { id: { in: rows.flatMap((r) => (r.messageId ? [r.messageId] : [])) } },
        select: { id: true, status: true, channel: true, errorCode: true },
      });
      const messagesById = new Map(messages.map((m) => [m.id, m]));
      const items = rows.map((r) => {
        const m = r.messageId ? messagesById.get(r.messageId) : undefined;
        return {
          beneficiaryId: r.beneficiaryId,
          firstName: r.beneficiary.firstName,
          language: r.beneficiary.language,
          status: r.status,
          reason: r.reason,
          message: m ? { status: m.status, channel: m.channel, errorCode: m.errorCode } : null,
          answer: r.answer,
          answeredAt: r.answeredAt,
        };
      });
      await ctx.audit({
        action: 'read',
        resource: 'broadcast',
        resourceId: broadcast.id,
        detail: { recipients: items.map((i) => i.beneficiaryId) },
      });
      return { ...found, recipients: { items, total } };
    },
  );

  anyStaff.get(
    '/api/cip/broadcasts',
    'My broadcasts (all of them for coordinators and admins), newest first',
    {
      query: z.object({ sessionId: id.optional(), ...paging }),
      response: z.object({
        items: z.array(
          z.object({
            id: int,
            sessionId: int,
            createdById: int,
            createdAt: timestamp,
            status: z.string(),
          }),
        ),
        total: int,
      }),
    },
    async (ctx, { query }) => {
      const where = { ...mine(ctx.staff), ...given(query, ['sessionId']) };
      const select = { id: true, sessionId: true, createdById: true, createdAt: true, status: true };
      return page(query, (window) => [
        prisma.broadcast.findMany({ where, orderBy: { id: 'desc' }, ...window, select }),
        prisma.broadcast.count({ where }),
      ]);
    },
  );
}
