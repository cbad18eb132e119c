// Who hears the bot: the person's choice first; otherwise what the case says of their reading, or a
// voice note they sent. The case is read again after ten minutes (a CIP may change it).
import { MemoryStorage, TestAdapter, UserState, type TurnContext } from 'botbuilder';
import { turnListens, type UserProfile } from '../../bot/turns/turnState';
import { listens, VoiceMiddleware } from '../../bot/voice/voiceMiddleware';
import { sqliteKind, useDatabase } from '../support/databases';

test.each([
  [{}, false],
  [{ reads: 'yes' }, false],
  [{ reads: 'little' }, true],
  [{ reads: 'no' }, true],
  [{ sentVoiceNote: true }, true],
  [{ voice: 'listen', reads: 'yes' }, true],
  [{ voice: 'read', reads: 'no', sentVoiceNote: true }, false],
] as [UserProfile, boolean][])('%j listens: %s', (profile, expected) => {
  expect(listens(profile)).toBe(expected);
});

describe('the middleware', () => {
  const db = useDatabase(sqliteKind);

  test('reads the case, notes a voice note, and reads the case again after ten minutes', async () => {
    const b = await db.prisma.beneficiary.create({ data: { firstName: 'Amina', reads: 'yes', consentAt: new Date() } });
    let now = new Date('2026-12-05T10:00:00Z');
    const userState = new UserState(new MemoryStorage());
    const profile = userState.createProperty<UserProfile>('profile');
    const heard: boolean[] = [];
    const adapter = new TestAdapter(async (context: TurnContext) => {
      heard.push(turnListens(context));
      await userState.saveChanges(context);
    })
      .use({
        onTurn: async (context, next) => {
          const p = await profile.get(context, {});
          if (p.beneficiaryId === undefined) await profile.set(context, { beneficiaryId: b.id });
          await next();
        },
      })
      .use(new VoiceMiddleware(db, profile, () => now));
    await adapter.send('bonjour');
    await db.prisma.beneficiary.update({ where: { id: b.id }, data: { reads: 'no' } });
    await adapter.send('1');
    now = new Date(now.getTime() + 11 * 60_000);
    await adapter.send('2');
    await db.prisma.beneficiary.update({ where: { id: b.id }, data: { reads: 'yes', voiceMode: 'read' } });
    now = new Date(now.getTime() + 11 * 60_000);
    await adapter.send({ type: 'message', attachments: [{ contentType: 'audio/ogg', contentUrl: 'x' }] });
    await db.prisma.beneficiary.update({ where: { id: b.id }, data: { voiceMode: null } });
    now = new Date(now.getTime() + 11 * 60_000);
    await adapter.send('3');
    // yes -> (still yes: not read again yet) -> no -> chose "read" (a voice note does not change it)
    // -> no choice: the voice note sent earlier in this conversation counts
    expect(heard).toEqual([false, false, true, false, true]);
  });
});
