// A turn's replies as one spoken clip (Ogg/Opus) in the person's language: each sentence from its
// recorded prompt when an interpreter recorded it, the others synthesised. A clip made of fixed
// texts only (menus, questions) is cached on disk and shared; one that says anything else (a name,
// a date, a workshop's title) is made for its turn and kept in memory only, a few minutes: nothing
// personal is ever written to the cache. A language with neither recordings nor a synthesis voice
// (Pashto, Tigrinya without recordings) gets no clip: the person reads the text, and a log line
// says which language lacks a voice.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LanguageCode } from '../i18n/languages';
import { Limiter } from '../runtime/limiter';
import type { Logger } from '../runtime/logger';
import { decodeOpus, encodeOpus, silence, type Pcm } from './audioTools';
import { ClipCache } from './clipCache';
import type { Recordings } from './recordings';
import { spokenSentences } from './spokenText';
import type { Synthesizer } from './synthesizers';

export interface VoiceClip {
  /** stable id of the clip (the cache key); "t-..." for a clip made for one turn */
  id: string;
  bytes: number;
  /** heard from recordings only, synthesis only, or both */
  source: 'recording' | 'synthesis' | 'mixed';
  /** it says more than fixed texts (a name, a date...): made for this turn, never cached nor reused */
  transient: boolean;
  /** the Ogg/Opus bytes */
  audio(): Promise<Buffer>;
}

/** What a clip is made of: the replies of a turn (their SSML, or their text). */
export interface Spoken {
  speak?: string;
  text?: string;
}

/** The pause between two sentences of a clip. */
const PAUSE_MS = 400;
/** The sample rate of a clip made from recordings only. */
const RECORDINGS_RATE = 24000;
/** Clips made for one turn are kept in memory this long (for the web chat page to fetch), at most this many. */
const TRANSIENT_TTL_MS = 15 * 60_000;
const TRANSIENT_MAX = 200;

export class Voice {
  /** synthesis is CPU-bound: at most two at once, whatever the number of turns */
  private readonly limiter = new Limiter(2);
  private readonly warned = new Set<LanguageCode>();
  private readonly transient = new Map<string, { audio: Buffer; until: number }>();

  constructor(
    private readonly recordings: Recordings,
    private readonly cache: ClipCache,
    private readonly log: Logger,
    private readonly synthesizer?: Synthesizer,
  ) {}

  /** Whether the language can be heard at all (a synthesis voice, or recordings). */
  speaks(code: LanguageCode): boolean {
    return !!this.synthesizer?.voiceId(code) || this.recordings.count(code) > 0;
  }

  /** The clip of a turn's replies, or undefined when they cannot be said in this language. */
  async clip(code: LanguageCode, replies: Spoken[]): Promise<VoiceClip | undefined> {
    const sentences = replies.flatMap((r) => spokenSentences(r.speak, r.text, code));
    if (!sentences.length) return undefined;
    const parts = sentences.map((sentence) => ({ sentence, recording: this.recordings.find(code, sentence) }));
    const voiceId = this.synthesizer?.voiceId(code);
    const unrecorded = parts.filter((p) => !p.recording).length;
    if (unrecorded && !voiceId) {
      if (!this.warned.has(code))
        this.log.info({ language: code, unrecorded }, 'no voice for this language: text only');
      this.warned.add(code);
      return undefined;
    }
    const source = !unrecorded ? 'recording' : unrecorded === parts.length ? 'synthesis' : 'mixed';
    const started = Date.now();
    if (!sentences.every((s) => this.recordings.isFixed(code, s))) {
      const audio = await this.limiter.run(() => this.make(code, parts));
      const id = `t-${randomUUID()}`;
      this.keepTransient(id, audio);
      this.log.debug({ language: code, source, ms: Date.now() - started, transient: true }, 'voice clip made');
      return { id, bytes: audio.length, source, transient: true, audio: async () => audio };
    }
    const key = ClipCache.key([
      code,
      unrecorded ? voiceId : null,
      parts.map((p) =>
        p.recording ? ['recording', path.basename(p.recording), this.recordings.writtenAt(p.recording)] : p.sentence,
      ),
    ]);
    const cached = this.cache.has(key);
    const clip = await this.cache.get(key, () => this.limiter.run(() => this.make(code, parts)));
    if (!cached) this.log.debug({ language: code, source, ms: Date.now() - started }, 'voice clip made');
    return { id: clip.id, bytes: clip.bytes, source, transient: false, audio: () => fs.promises.readFile(clip.file) };
  }

  /** A clip's bytes by its id (for the web chat page), while it is kept. */
  async audioOf(id: string): Promise<Buffer | undefined> {
    if (id.startsWith('t-')) {
      const kept = this.transient.get(id);
      return kept && kept.until > Date.now() ? kept.audio : undefined;
    }
    return /^[\w-]{32}$/.test(id) ? this.cache.read(id) : undefined;
  }

  private keepTransient(id: string, audio: Buffer): void {
    const now = Date.now();
    for (const [k, v] of this.transient)
      if (v.until <= now || this.transient.size >= TRANSIENT_MAX) this.transient.delete(k);
    this.transient.set(id, { audio, until: now + TRANSIENT_TTL_MS });
  }

  private async make(code: LanguageCode, parts: { sentence: string; recording?: string }[]): Promise<Buffer> {
    // One recording alone is the clip as it is.
    if (parts.length === 1 && parts[0]!.recording) return fs.promises.readFile(parts[0]!.recording);
    // Runs of unrecorded sentences are synthesised together (one call each), then every piece is
    // put end to end at the synthesis' sample rate and encoded once.
    const runs: ({ recording: string } | { sentences: string[] })[] = [];
    for (const p of parts) {
      const last = runs.at(-1);
      if (p.recording) runs.push({ recording: p.recording });
      else if (last && 'sentences' in last) last.sentences.push(p.sentence);
      else runs.push({ sentences: [p.sentence] });
    }
    const synthesized = await Promise.all(
      runs.map((r) => ('sentences' in r ? this.synthesizer!.synthesize(code, r.sentences) : undefined)),
    );
    if (runs.length === 1) return encodeOpus(synthesized[0]!);
    const rate = synthesized.find(Boolean)?.rate ?? RECORDINGS_RATE;
    const pieces: Pcm[] = await Promise.all(
      runs.map(async (r, i) =>
        'recording' in r ? decodeOpus(await fs.promises.readFile(r.recording), rate) : synthesized[i]!,
      ),
    );
    const gap = silence(PAUSE_MS, rate);
    return encodeOpus({ samples: Buffer.concat(pieces.flatMap((p, i) => (i ? [gap, p.samples] : [p.samples]))), rate });
  }
}
