// Files coming in: a web chat upload or a WhatsApp download is kept only when its claimed type is
// one of ours and its bytes agree (types.ts, sniff.ts); attachments a web chat client posts by URL
// are kept only when they are files of our store that this same person sent.
import type { Attachment } from 'botbuilder-core';
import { MEDIA_ROUTE, mediaUrl, type MediaOwner, type MediaStore, type StoredMedia } from './store';
import { sniffType } from './sniff';
import { verifiedType } from './types';

/** The type to keep a received file as, its bytes checked; undefined: refuse it. */
export async function checkedType(
  input: { file: string } | { bytes: Uint8Array },
  claimed: string | undefined,
): Promise<string | undefined> {
  return verifiedType(claimed, await sniffType(input));
}

export interface UploadedFile {
  path: string;
  type?: string;
  name?: string;
}

/** Keeps the files of one upload, all or none: their attachments, or undefined when one is refused. */
export async function keepUploads(
  store: MediaStore,
  uploads: UploadedFile[],
  owner: MediaOwner,
): Promise<Attachment[] | undefined> {
  const types = await Promise.all(uploads.map((f) => checkedType({ file: f.path }, f.type)));
  if (types.some((t) => !t)) return undefined;
  const attachments: Attachment[] = [];
  for (const [i, f] of uploads.entries()) {
    const media = await store.add(f.path, types[i]!, f.name ?? 'file', owner);
    attachments.push({ contentType: media.contentType, contentUrl: mediaUrl(media.id), name: media.name });
  }
  return attachments;
}

/** Whether `who` sent this file: the same web chat conversation, or the same chat user id on the channel. */
export function sentBy(media: StoredMedia, who: MediaOwner): boolean {
  const owner = media.owner;
  if (!owner || owner.channel !== who.channel) return false;
  return (!!owner.conversation && owner.conversation === who.conversation) || (!!owner.user && owner.user === who.user);
}

const OUR_LINK = new RegExp(`^${MEDIA_ROUTE}/([A-Za-z0-9_-]{32})(\\?[^#]*)?$`);

/**
 * The attachments of a posted activity that are files of our store sent by this person, as our
 * own attachment (type and name from the store, a plain link). Anything else is dropped: links
 * elsewhere or to script (`javascript:`), files that do not exist or are someone else's, and
 * inline content we never read.
 */
export async function ownAttachments(store: MediaStore, posted: unknown, who: MediaOwner): Promise<Attachment[]> {
  if (!Array.isArray(posted)) return [];
  const kept: Attachment[] = [];
  const seen = new Set<string>();
  for (const a of posted.slice(0, 20)) {
    const url = typeof a === 'object' && a !== null ? (a as { contentUrl?: unknown }).contentUrl : undefined;
    const id = typeof url === 'string' ? OUR_LINK.exec(url)?.[1] : undefined;
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const media = await store.get(id);
    if (media && sentBy(media, who))
      kept.push({ contentType: media.contentType, contentUrl: mediaUrl(id), name: media.name });
  }
  return kept;
}
