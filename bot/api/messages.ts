// GET /api/cip/beneficiaries/:id/messages: the conversation log of a case (what the person wrote
// and what Passerelle sent), newest first, in one's scope. Reading it is audited (`read`,
// `conversation`): it is the most personal of the case's data, shown behind a click.
import { z } from 'zod';
import { mediaIdOf } from '../media/store';
import { ANY_STAFF, type Api, type ApiDeps } from './http';
import { routesFor } from './routes';
import { aboutCase } from './handlers';
import { caseInScope } from './scope';
import { idParams, int, list, paging, textOrNull, timestamp } from './schemas';

const logged = z.object({
  id: int,
  direction: z.string(),
  channel: z.string(),
  kind: z.string(),
  status: z.string(),
  text: textOrNull,
  /** files: their type, and the id of our stored copy (GET /webchat/media/:id) when there is one */
  attachments: z.array(z.object({ contentType: z.string(), mediaId: textOrNull })),
  createdAt: timestamp,
});

/** The text and files of a stored activity, whatever else it carries. */
export function activityContent(payload: unknown): {
  text: string | null;
  attachments: { contentType: string; mediaId: string | null }[];
} {
  const p = (payload ?? {}) as { text?: unknown; attachments?: unknown };
  const attachments = Array.isArray(p.attachments)
    ? (p.attachments as { contentType?: unknown; contentUrl?: unknown; url?: unknown }[])
    : [];
  return {
    text: typeof p.text === 'string' ? p.text : null,
    attachments: attachments.map((a) => ({
      contentType: String(a.contentType ?? ''),
      mediaId: mediaIdOf(String(a.contentUrl ?? a.url ?? '')) ?? null,
    })),
  };
}

export function messageRoutes(api: Api, { db }: ApiDeps): void {
  const anyStaff = routesFor(api, 'beneficiaries', ANY_STAFF);
  anyStaff.get(
    '/api/cip/beneficiaries/:id/messages',
    "A case's conversation log (audited), newest first",
    { params: idParams, query: z.object(paging), response: list(logged) },
    async (ctx, { params, query }) => {
      const b = await caseInScope(db.prisma, ctx.staff, params.id);
      const where = { beneficiaryId: b.id, direction: { in: ['in', 'out'] } };
      const [rows, total] = await Promise.all([
        db.prisma.message.findMany({ where, orderBy: { id: 'desc' }, take: query.limit, skip: query.offset }),
        db.prisma.message.count({ where }),
      ]);
      await ctx.audit({ action: 'read', resource: 'conversation', ...aboutCase(b), detail: { messages: rows.length } });
      return {
        items: rows.map((m) => ({
          id: m.id,
          direction: m.direction,
          channel: m.channel,
          kind: m.kind,
          status: m.status,
          ...activityContent(m.payload),
          createdAt: m.createdAt,
        })),
        total,
      };
    },
  );
}
