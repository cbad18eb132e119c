// Who hears the bot, decided once a turn for the channels (turnListens): a person hears it when
// they chose "listen", or, unless they chose "read", when their case says they read little or not
// at all, or once they sent a voice note in this conversation. The case's `reads` and `voiceMode`
// are kept in the profile and read again from the database at most every ten minutes (a CIP may
// change them), so a turn costs no query.
import type { Middleware, TurnContext } from 'botbuilder-core';
import type { Database } from '../db/client';
import { SqlParams } from '../db/rawSql';
import { sqlReader } from '../db/sqlReads';
import { setTurnListens, type ProfileAccessor, type UserProfile } from '../turns/turnState';

const REFRESH_MS = 10 * 60_000;

/** A case's voiceMode column as the profile keeps it. */
export function voiceModeOf(value: string | null | undefined): 'listen' | 'read' | undefined {
  return value === 'listen' || value === 'read' ? value : undefined;
}

export function listens(profile: Pick<UserProfile, 'voice' | 'reads' | 'sentVoiceNote'>): boolean {
  if (profile.voice) return profile.voice === 'listen';
  return profile.reads === 'no' || profile.reads === 'little' || profile.sentVoiceNote === true;
}

export class VoiceMiddleware implements Middleware {
  constructor(
    private readonly db: Database,
    private readonly profile: ProfileAccessor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const before = await this.profile.get(context, {});
    const voiceNote =
      context.activity.type === 'message' &&
      (context.activity.attachments ?? []).some((a) => /^audio\//.test(a.contentType ?? ''));
    const profile = await this.refresh(context, before, voiceNote);
    setTurnListens(context, listens(profile));
    await next();
    // The turn found whose case this is (a number recognised, consent given): its replies are
    // sent after the turn on WhatsApp, so the case still decides who hears them.
    const after = await this.profile.get(context, {});
    if (after.beneficiaryId !== undefined && after.beneficiaryId !== before.beneficiaryId)
      setTurnListens(context, listens(await this.refresh(context, { ...after, voiceCheckedAt: undefined }, false)));
  }

  /** The profile with the case's reading read again when it is old, and a voice note noted. */
  private async refresh(context: TurnContext, profile: UserProfile, voiceNote: boolean): Promise<UserProfile> {
    const checked = profile.voiceCheckedAt ? Date.parse(profile.voiceCheckedAt) : 0;
    const stale = profile.beneficiaryId !== undefined && this.now().getTime() - checked > REFRESH_MS;
    if (!stale && !(voiceNote && !profile.sentVoiceNote)) return profile;
    const row = stale ? await this.readingOf(profile.beneficiaryId!) : undefined;
    const updated: UserProfile = {
      ...profile,
      ...(voiceNote && { sentVoiceNote: true }),
      ...(row && {
        reads: row.reads ?? undefined,
        // (The case is the truth once there is one: the choice made before consent was copied to it.)
        voice: row.voiceMode === 'listen' || row.voiceMode === 'read' ? row.voiceMode : undefined,
        voiceCheckedAt: this.now().toISOString(),
      }),
    };
    await this.profile.set(context, updated);
    return updated;
  }

  /** The case's reading and voice choice (SQL of our own, bot/db/sqlReads.ts: read when a case is linked). */
  private async readingOf(id: number): Promise<{ reads: string | null; voiceMode: string | null } | undefined> {
    const reader = sqlReader(this.db.prisma);
    const p = new SqlParams(reader.provider);
    const [row] = await reader.rows<{ reads: string | null; voiceMode: string | null }>(
      `SELECT "reads", "voiceMode" FROM "Beneficiary" WHERE "id" = ${p.add(id, 'int')}`,
      p.values,
    );
    return row;
  }
}
