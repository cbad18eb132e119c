// Files people send (voice notes, photos of a document) on the web chat and WhatsApp: kept under
// MEDIA_DIR with a random id, as a reference for the CIP, with who sent them. Only the kinds of
// media/types.ts get here, their bytes checked (media/intake.ts). The id alone opens nothing: the
// route (media/serve.ts) serves a file to its sender and to signed-in staff only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export { acceptedMediaType } from './types';

/** Who sent a file: the channel, its user id there, and (web chat) the Direct Line conversation. */
export interface MediaOwner {
  channel: string;
  user?: string;
  conversation?: string;
}

export interface StoredMedia {
  id: string;
  contentType: string;
  name: string;
  size: number;
  /** absent on files kept before owners were recorded: staff only */
  owner?: MediaOwner;
}

const ID = /^[A-Za-z0-9_-]{32}$/;

/** Where a stored file is served (to the person who sent it, and to staff: media/serve.ts). */
export const MEDIA_ROUTE = '/webchat/media';

export function mediaUrl(id: string): string {
  return `${MEDIA_ROUTE}/${id}`;
}

/** The id of a file of this store from its URL, if it is one. */
export function mediaIdOf(url: string | undefined): string | undefined {
  const match = url ? /^\/webchat\/media\/([A-Za-z0-9_-]{32})$/.exec(url) : null;
  return match?.[1];
}

export class MediaStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Moves a received file into the store. */
  async add(file: string, contentType: string, name: string, owner?: MediaOwner): Promise<StoredMedia> {
    const id = crypto.randomBytes(24).toString('base64url');
    const size = (await fs.promises.stat(file)).size;
    await fs.promises.rename(file, this.path(id)).catch(async () => {
      // another file system (a temporary folder elsewhere): copy, then remove
      await fs.promises.copyFile(file, this.path(id));
      await fs.promises.rm(file, { force: true });
    });
    const media: StoredMedia = {
      id,
      contentType,
      name: path.basename(name).slice(0, 120) || 'file',
      size,
      ...(owner && { owner }),
    };
    await fs.promises.writeFile(`${this.path(id)}.json`, JSON.stringify(media));
    return media;
  }

  /** Keeps bytes received from a channel (a WhatsApp voice note, downloaded from Meta). */
  async addBytes(bytes: Buffer, contentType: string, name: string, owner?: MediaOwner): Promise<StoredMedia> {
    const tmp = path.join(this.dir, `.incoming-${crypto.randomBytes(8).toString('hex')}`);
    await fs.promises.writeFile(tmp, bytes);
    return this.add(tmp, contentType, name, owner);
  }

  async get(id: string): Promise<(StoredMedia & { file: string }) | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      const media = JSON.parse(await fs.promises.readFile(`${this.path(id)}.json`, 'utf8')) as StoredMedia;
      return { ...media, file: this.path(id) };
    } catch {
      return undefined;
    }
  }

  /** Deletes a stored file and its description; false when there was none (erasure, retention). */
  async remove(id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    const gone = await Promise.all(
      [this.path(id), `${this.path(id)}.json`].map((f) =>
        fs.promises.rm(f).then(
          () => true,
          () => false,
        ),
      ),
    );
    return gone.some(Boolean);
  }

  /** Every stored file: its id, when it was stored, and its description (retention). */
  async *list(): AsyncGenerator<{ id: string; storedAt: Date; meta: Record<string, unknown> }> {
    for (const entry of await fs.promises.readdir(this.dir)) {
      if (!ID.test(entry)) continue;
      const stat = await fs.promises.stat(this.path(entry)).catch(() => undefined);
      if (!stat) continue;
      const meta = await fs.promises.readFile(`${this.path(entry)}.json`, 'utf8').then(
        (t) => JSON.parse(t) as Record<string, unknown>,
        () => ({}),
      );
      yield { id: entry, storedAt: stat.mtime, meta };
    }
  }

  private path(id: string): string {
    return path.join(this.dir, id);
  }
}
