// GET /webchat/media/:id: a stored file, to the person who sent it or to signed-in staff.
//   - its sender's page: a link signed for their web chat conversation (links.ts), while it is open;
//   - its sender: "Authorization: Bearer <Direct Line token>" of their conversation (or of another
//     conversation of the same web chat user);
//   - staff: "Authorization: Bearer <CIP API session token>", within their scope as in the API
//     (a CIP: the files of the people they follow, or of pending cases nobody took; coordinators
//     and admins: all); each fetch writes an AuditEvent (read, media, the file id, the case).
// 401 without credentials (or with a token we do not know), 404 for a file that does not exist or
// that the credentials do not open (the same answer: nobody learns which files exist).
// The file can never run as a page of our origin: the type it was checked as, nosniff, a CSP
// sandbox, and anything that is not a picture or a sound only as a download.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Server } from 'restify';
import type { WebChatStore } from '../channels/webchat/store';
import { CHANNEL_ID as WEBCHAT } from '../channels/webchat/directLine';
import type { Database } from '../db/client';
import { clientAddress, type TrustedProxies } from '../http/clientAddress';
import type { Logger } from '../runtime/logger';
import { MEDIA_ROUTE, type MediaStore, type StoredMedia } from './store';
import { staffOfToken, type Staff } from '../services/staff';
import { caseScope } from '../api/scope';
import { sentBy } from './intake';
import { signedConversation } from './links';
import { acceptedType, showsInline } from './types';

export interface MediaRouteDeps {
  media: MediaStore;
  /** the web chat's Direct Line conversations (their tokens, the signed links' conversations) */
  conversations: WebChatStore;
  db: Database;
  log: Logger;
  now: () => Date;
  trustProxy: TrustedProxies;
}

export function registerMediaRoute(server: Server, deps: MediaRouteDeps): void {
  server.get(`${MEDIA_ROUTE}/:id`, async (req: Request, res: Response) => {
    try {
      await serve(req, res, deps);
    } catch (err) {
      deps.log.error({ err: { message: (err as Error).message } }, 'media: file not served');
      if (!res.headersSent) refuse(res, 503, 'Unavailable', 'The file cannot be served now; try again later.');
    }
  });
}

type Access =
  | { as: 'sender' }
  | { as: 'staff'; staffId: number; beneficiaryId: number | null }
  | { status: 401 | 403 | 404; code: string; message: string };

const NOT_FOUND = { status: 404, code: 'NotFound', message: 'No such file.' } as const;

async function serve(req: Request, res: Response, deps: MediaRouteDeps) {
  const id = String(req.params.id);
  const media = await deps.media.get(id);
  const access = await accessTo(req, id, media, deps);
  if ('status' in access) return refuse(res, access.status, access.code, access.message);
  if (!media) return refuse(res, 404, NOT_FOUND.code, NOT_FOUND.message);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(media.file, 'r');
  } catch {
    return refuse(res, 404, NOT_FOUND.code, NOT_FOUND.message); // erased meanwhile
  }
  let size: number;
  try {
    // Staff reading a person's file is on record before a byte goes out.
    if (access.as === 'staff') await audit(req, deps, access.staffId, access.beneficiaryId, media);
    size = (await handle.stat()).size;
  } catch (err) {
    await handle.close();
    throw err;
  }
  const type = acceptedType(media.contentType) ?? 'application/octet-stream'; // files kept before the checks
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', size);
  res.setHeader('Content-Disposition', `${showsInline(type) ? 'inline' : 'attachment'}; ${filenameParams(media.name)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'private, no-store');
  res.writeHead(200);
  // (The stream closes the file, also when the client goes away mid-way.)
  await pipeline(handle.createReadStream(), res).catch(() => undefined);
}

async function accessTo(
  req: Request,
  id: string,
  media: StoredMedia | undefined,
  deps: MediaRouteDeps,
): Promise<Access> {
  const { conversations } = deps;
  // The sender's page, by a link signed for a conversation that is still open.
  const signedFor = signedConversation(id, req.query);
  if (signedFor) {
    const open = await conversations.get(signedFor);
    return open && media && sentBy(media, { channel: WEBCHAT, conversation: open.id, user: open.userId })
      ? { as: 'sender' }
      : NOT_FOUND;
  }
  const match = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!match)
    return {
      status: 401,
      code: 'Unauthorized',
      message: 'Open the file from the chat, or send "Authorization: Bearer <token>".',
    };
  const conversation = await conversations.conversationOfToken(match[1]);
  if (conversation) {
    return media && sentBy(media, { channel: WEBCHAT, conversation: conversation.id, user: conversation.userId })
      ? { as: 'sender' }
      : NOT_FOUND;
  }
  const staff = await staffOfToken(deps.db.prisma, match[1], deps.now());
  if (!staff) return { status: 401, code: 'Unauthorized', message: 'The token is not valid or has expired.' };
  if (staff.mustChangePassword)
    return {
      status: 403,
      code: 'PasswordChangeRequired',
      message: 'Choose your own password first (POST /api/cip/password).',
    };
  if (!media) return NOT_FOUND;
  const beneficiaryId = await caseOf(deps, media);
  // A CIP reads the files of the cases they may read; a file of no known case (someone who never
  // consented, a file kept before owners were recorded) is for coordinators and admins only.
  if (staff.role === 'cip' && !(beneficiaryId !== null && (await inScope(deps, staff, beneficiaryId))))
    return NOT_FOUND;
  return { as: 'staff', staffId: staff.id, beneficiaryId };
}

/** The case a file belongs to: through the chat identity that sent it, else a message that carries it. */
async function caseOf(deps: MediaRouteDeps, media: StoredMedia): Promise<number | null> {
  const { prisma, provider } = deps.db;
  const owner = media.owner;
  const ref = owner?.user
    ? await prisma.conversationRef.findFirst({
        where: {
          channel: owner.channel,
          OR: [{ userKey: owner.user }, { altUserKey: owner.user }],
          beneficiaryId: { not: null },
        },
        select: { beneficiaryId: true },
      })
    : null;
  if (ref?.beneficiaryId) return ref.beneficiaryId;
  const like = `%${MEDIA_ROUTE}/${media.id}%`;
  const rows = await prisma.$queryRawUnsafe<{ beneficiaryId: number }[]>(
    `SELECT "beneficiaryId" FROM "Message" WHERE "beneficiaryId" IS NOT NULL AND CAST("payload" AS TEXT) LIKE ` +
      `${provider === 'postgresql' ? '$1' : '?'} LIMIT 1`,
    like,
  );
  return rows.length ? Number(rows[0].beneficiaryId) : null;
}

async function inScope(deps: MediaRouteDeps, staff: Staff, beneficiaryId: number): Promise<boolean> {
  return !!(await deps.db.prisma.beneficiary.findFirst({
    where: { AND: [{ id: beneficiaryId }, caseScope(staff)] },
    select: { id: true },
  }));
}

async function audit(
  req: Request,
  deps: MediaRouteDeps,
  staffId: number,
  beneficiaryId: number | null,
  media: StoredMedia,
) {
  const { prisma } = deps.db;
  const owner = media.owner;
  await prisma.auditEvent.create({
    data: {
      staffUserId: staffId,
      action: 'read',
      resource: 'media',
      resourceId: media.id,
      beneficiaryId,
      ip: clientAddress(req, deps.trustProxy),
      detail: { contentType: media.contentType, ...(owner && { channel: owner.channel }) },
    },
  });
}

/** filename="<ASCII>"; filename*=UTF-8''<the real name> (RFC 6266): no quote or line break gets in. */
function filenameParams(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function refuse(res: Response, status: number, code: string, message: string) {
  res.setHeader('Cache-Control', 'no-store');
  res.send(status, { error: { code, message } });
}
