// The spoken clip of a turn as a WhatsApp voice note: made (or read from the cache) by the voice,
// uploaded once to Meta's media store, and its media id sent again while Meta keeps it (30 days;
// a day's margin here). The media ids are in the database (VoiceUpload), shared by every
// instance. A clip made for one turn (it says a name, a date...) is uploaded for that message only.
// A media id Meta no longer knows is uploaded again at once.
import type { Database } from '../../db/client';
import { SqlParams } from '../../db/rawSql';
import { asDate, sqlReader } from '../../db/sqlReads';
import type { LanguageCode } from '../../i18n/languages';
import type { Spoken, Voice, VoiceClip } from '../../voice/voice';
import { GraphError, type GraphClient, type Recipient } from './graphClient';
import type { AudioMessage } from './payloads';

const REUSE_MS = 29 * 24 * 3600_000;

export interface VoiceNote {
  clip: VoiceClip;
  message: AudioMessage;
  /** the media id came from an earlier upload (it may have expired since) */
  reused: boolean;
}

/** A voice note sent: its clip and Meta's message id. */
export interface SentNote {
  clip: VoiceClip;
  wamid: string;
}

export class VoiceNotes {
  constructor(
    private readonly db: Database,
    private readonly graph: GraphClient,
    private readonly voice: Voice,
    private readonly now: () => Date,
  ) {}

  /**
   * Sends the voice note of `spoken` to `to`; undefined when it cannot be said in this language.
   * Graph errors are thrown as they came (the caller retries as for any message).
   */
  async send(to: Recipient, locale: LanguageCode, spoken: Spoken[]): Promise<SentNote | undefined> {
    const note = await this.prepare(locale, spoken);
    if (!note) return undefined;
    try {
      return { clip: note.clip, wamid: await this.graph.send(to, note.message) };
    } catch (err) {
      if (!(err instanceof GraphError && note.reused && err.kind === 'permanent')) throw err;
      const fresh = (await this.prepare(locale, spoken, true))!;
      return { clip: fresh.clip, wamid: await this.graph.send(to, fresh.message) };
    }
  }

  /** The voice note of a turn's replies; undefined when they cannot be said in this language. */
  private async prepare(locale: LanguageCode, spoken: Spoken[], fresh = false): Promise<VoiceNote | undefined> {
    const clip = await this.voice.clip(locale, spoken);
    if (!clip) return undefined;
    const uploads = this.db.prisma.voiceUpload;
    if (!clip.transient && !fresh) {
      const known = await this.upload(clip.id);
      if (known && this.now().getTime() - known.uploadedAt.getTime() < REUSE_MS)
        return { clip, message: audio(known.mediaId), reused: true };
    }
    const mediaId = await this.graph.uploadMedia(await clip.audio(), 'audio/ogg', 'voice.ogg');
    if (!clip.transient) {
      const row = { mediaId, uploadedAt: this.now() };
      await uploads.upsert({ where: { clipId: clip.id }, create: { clipId: clip.id, ...row }, update: row });
    }
    return { clip, message: audio(mediaId), reused: false };
  }

  /** The last upload of a clip (in SQL of our own, bot/db/sqlReads.ts: asked at each voice note). */
  private async upload(clipId: string): Promise<{ mediaId: string; uploadedAt: Date } | undefined> {
    const reader = sqlReader(this.db.prisma);
    const p = new SqlParams(reader.provider);
    const [row] = await reader.rows<{ mediaId: string; uploadedAt: unknown }>(
      `SELECT "mediaId", "uploadedAt" FROM "VoiceUpload" WHERE "clipId" = ${p.add(clipId)}`,
      p.values,
    );
    return row && { mediaId: row.mediaId, uploadedAt: asDate(row.uploadedAt)! };
  }
}

const audio = (id: string): AudioMessage => ({ type: 'audio', audio: { id } });
