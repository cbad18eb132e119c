// GET /webchat/media/:id: a stored file, to the person who sent it or to signed-in staff.
//   - its sender's page: a link signed for their web chat conversation (links.ts), while it is open;
//   - its sender: "Authorization: Bearer <Direct Line token>" of their conversation (or of another
//     conversation of the same web chat user);
//   - staff: "Authorization: Bearer <CIP API session token>"; each fetch writes an AuditEvent
//     (read, media, the file id, the person's case when known).
// 401 without credentials (or with a token we do not know), 404 for a file that does not exist or
// that the credentials do not open (the same answer: nobody learns which files exist).
// The file can never run as a page of our origin: the type it was checked as, nosniff, a CSP
// sandbox, and anything that is not a picture or a sound only as a download.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Server } from 'restify';
import type { ConversationStore } from '../channels/webchat/conversations';
import { CHANNEL_ID as WEBCHAT } from '../channels/webchat/directLine';
import type { Database } from '../db/client';
import { clientAddress, type TrustedProxies } from '../http/clientAddress';
import type { Logger } from '../logger';
import { MEDIA_ROUTE, type MediaStore, type StoredMedia } from '../media';
import { staffOfToken } from '../services/staff';
import { sentBy } from './intake';
import { signedConversation } from './links';
import { acceptedType, showsInline } from './types';

export interface MediaRouteDeps {
  media: MediaStore;
  /** the web chat's Direct Line conversations (their tokens, the signed links' conversations) */
  conversations: ConversationStore;
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

type Access = { as: 'sender' } | { as: 'staff'; staffId: number } | { status: 401 | 403 | 404; code: string; message: string };

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
    if (access.as === 'staff') await audit(req, deps, access.staffId, media);
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

async function accessTo(req: Request, id: string, media: StoredMedia | undefined, deps: MediaRouteDeps): Promise<Access> {
  const { conversations } = deps;
  // The sender's page, by a link signed for a conversation that is still open.
  const signedFor = signedConversation(id, req.query);
  if (signedFor) {
    const open = conversations.get(signedFor);
    return open && media && sentBy(media, { channel: WEBCHAT, conversation: open.id, user: open.userId }) ? { as: 'sender' } : NOT_FOUND;
  }
  const match = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!match) return { status: 401, code: 'Unauthorized', message: 'Open the file from the chat, or send "Authorization: Bearer <token>".' };
  const conversation = conversations.conversationOfToken(match[1]);
  if (conversation) {
    return media && sentBy(media, { channel: WEBCHAT, conversation: conversation.id, user: conversation.userId }) ? { as: 'sender' } : NOT_FOUND;
  }
  const staff = await staffOfToken(deps.db.prisma, match[1], deps.now());
  if (!staff) return { status: 401, code: 'Unauthorized', message: 'The token is not valid or has expired.' };
  if (staff.mustChangePassword) return { status: 403, code: 'PasswordChangeRequired', message: 'Choose your own password first (POST /api/cip/password).' };
  return media ? { as: 'staff', staffId: staff.id } : NOT_FOUND;
}

async function audit(req: Request, deps: MediaRouteDeps, staffId: number, media: StoredMedia) {
  const { prisma } = deps.db;
  const owner = media.owner;
  // The person's case, through the chat identity that sent the file (when they have one by now).
  const ref = owner?.user
    ? await prisma.conversationRef.findFirst({
        where: { channel: owner.channel, OR: [{ userKey: owner.user }, { altUserKey: owner.user }] },
        select: { beneficiaryId: true },
      })
    : null;
  await prisma.auditEvent.create({
    data: {
      staffUserId: staffId,
      action: 'read',
      resource: 'media',
      resourceId: media.id,
      beneficiaryId: ref?.beneficiaryId ?? null,
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
