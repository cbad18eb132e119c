// Spoken clips kept on disk, by a hash of what made them (language, engine and voice, sentences,
// recordings used): a prompt heard again is read from disk, never synthesised twice. Bounded: past
// `maxBytes`, the clips used least recently go first. Making a clip is shared by those who ask for
// it at the same time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface CachedClip {
  /** the cache key (also the file's name) */
  id: string;
  file: string;
  bytes: number;
}

export class ClipCache {
  private readonly making = new Map<string, Promise<CachedClip>>();
  private size = 0;
  /** id -> bytes, in order of last use (a Map keeps insertion order) */
  private readonly used = new Map<string, number>();

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ogg'))
      .map((f) => ({ f, st: fs.statSync(path.join(dir, f)) }))
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { f, st } of files) this.remember(f.slice(0, -4), st.size);
  }

  static key(parts: unknown[]): string {
    return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
  }

  /** The clip of `id`: from disk, or made by `make` (once, however many ask at the same time). */
  get(id: string, make: () => Promise<Buffer>): Promise<CachedClip> {
    const file = path.join(this.dir, `${id}.ogg`);
    const bytes = this.used.get(id);
    if (bytes !== undefined && fs.existsSync(file)) {
      this.remember(id, bytes);
      return Promise.resolve({ id, file, bytes });
    }
    let pending = this.making.get(id);
    if (!pending) {
      pending = this.write(id, file, make).finally(() => this.making.delete(id));
      this.making.set(id, pending);
    }
    return pending;
  }

  /** A clip's bytes, if it is on disk. */
  async read(id: string): Promise<Buffer | undefined> {
    if (!this.used.has(id)) return undefined;
    return fs.promises.readFile(path.join(this.dir, `${id}.ogg`)).catch(() => undefined);
  }

  /** Whether a clip is on disk already (no synthesis needed). */
  has(id: string): boolean {
    return this.used.has(id);
  }

  get totalBytes(): number {
    return this.size;
  }

  private async write(id: string, file: string, make: () => Promise<Buffer>): Promise<CachedClip> {
    const audio = await make();
    // Written under a temporary name, then renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, audio);
    await fs.promises.rename(tmp, file);
    this.remember(id, audio.length);
    this.evict();
    return { id, file, bytes: audio.length };
  }

  private remember(id: string, bytes: number): void {
    const before = this.used.get(id);
    if (before !== undefined) {
      this.used.delete(id);
      this.size -= before;
    }
    this.used.set(id, bytes);
    this.size += bytes;
  }

  private evict(): void {
    for (const [id, bytes] of this.used) {
      if (this.size <= this.maxBytes) break;
      this.used.delete(id);
      this.size -= bytes;
      fs.rmSync(path.join(this.dir, `${id}.ogg`), { force: true });
    }
  }
}
