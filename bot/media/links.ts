// Links the web chat page loads its person's own files with. Web Chat shows an attachment with a
// plain <img>/<audio src>, which cannot carry the Direct Line token in a header; and a token in a
// URL would open the whole conversation to whoever sees the URL (history, logs). So the page gets
// a link signed for its conversation: ?c=<conversation id>&s=<HMAC(file id, conversation id)>.
// It opens that one file, and only while the conversation is open here (serve.ts checks): when
// the conversation ends (idle timeout, "forget me", a restart), its links die with it. The key is
// made at start on SQLite (one process: its conversations live in its memory); on PostgreSQL every
// instance uses the one kept in the database (useLinkKey), so that a link made by one opens on
// the others. The database keeps plain links (for staff, who sign in).
import crypto from 'node:crypto';
import type { Activity } from 'botbuilder-core';
import { mediaIdOf, mediaUrl } from './store';

let KEY: Buffer = crypto.randomBytes(32);

/** Signs and checks links with `key` from now on (the key the instances of a database share). */
export function useLinkKey(key: Buffer): void {
  KEY = key;
}

function signature(id: string, conversationId: string): string {
  return crypto.createHmac('sha256', KEY).update(`${id}\n${conversationId}`).digest('base64url');
}

/** The query that opens `id` to the page of `conversationId` (files here; spoken clips, "voice:<id>", too). */
export function signedQuery(id: string, conversationId: string): string {
  return `c=${encodeURIComponent(conversationId)}&s=${signature(id, conversationId)}`;
}

/** The link the page of `conversationId` loads the file with. */
export function senderLink(id: string, conversationId: string): string {
  return `${mediaUrl(id)}?${signedQuery(id, conversationId)}`;
}

/** The conversation a link to file `id` was signed for, when its signature is ours. */
export function signedConversation(id: string, query: unknown): string | undefined {
  const { c, s } = (typeof query === 'object' && query !== null ? query : {}) as { c?: unknown; s?: unknown };
  if (typeof c !== 'string' || typeof s !== 'string') return undefined;
  const expected = Buffer.from(signature(id, c));
  const given = Buffer.from(s);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? c : undefined;
}

/** The activity as its conversation's page gets it: links to our files signed for it (a copy when any). */
export function withSenderLinks(activity: Activity, conversationId: string): Activity {
  if (!activity.attachments?.some((a) => mediaIdOf(a.contentUrl))) return activity;
  const attachments = activity.attachments.map((a) => {
    const id = mediaIdOf(a.contentUrl);
    return id ? { ...a, contentUrl: senderLink(id, conversationId) } : a;
  });
  return { ...activity, attachments } as Activity;
}
