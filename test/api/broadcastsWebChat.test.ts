// Invitations to people on the web chat: delivered at once into a chat that is open, kept for
// the next visit otherwise; answered there like any question ("1" books).
import { translator } from '../../bot/i18n/translator';
import { appForTests } from '../support/app';
import { signedIn } from '../support/cipApi';
import { DirectLineClient } from '../support/directLineClient';
import { sessionOf } from '../support/workshopFixture';
import type { ConversationStore } from '../../bot/channels/webchat/conversations';

const testApp = appForTests();

/** Someone who went through onboarding on the web chat (French, read, consent, first name), at the menu. */
async function onWebChat(user: string, name: string) {
  const client = await DirectLineClient.withToken(testApp().url, user);
  await client.waitForBotMessages(2);
  await client.sayUntil('1', translator('fr')('language.question'));
  await client.sayUntil('1', translator('fr')('voice.question'));
  await client.sayUntil('1', translator('fr')('onboarding.consent.question'));
  await client.sayUntil('1', translator('fr')('onboarding.name.question'));
  await client.sayUntil(name, translator('fr')('workshops.menu.question'));
  const b = await testApp().db.prisma.beneficiary.findFirstOrThrow({ where: { firstName: name } });
  await testApp().db.prisma.beneficiary.update({ where: { id: b.id }, data: { status: 'active', birthYear: 1990 } });
  return { client, id: b.id };
}

test('an open chat gets the invitation at once and "1" books; a closed one gets it at the next visit', async () => {
  const workshop = await testApp().db.prisma.workshop.findFirstOrThrow({ where: { code: 'digital' } });
  const startsAt = new Date(Date.now() + 72 * 3600_000);
  const session = await sessionOf(testApp().db.prisma, workshop.id, startsAt, 5, { audience: 'over25' });
  const open = await onWebChat('wc_broadcast_open_0123456789', 'Leila');
  const closed = await onWebChat('wc_broadcast_closed_012345678', 'Samira');
  closed.client.end();
  const coordinator = await signedIn(testApp(), 'coordinator');
  try {
    const res = await coordinator.call('POST', '/api/cip/broadcasts', {
      sessionId: session.id,
      audience: { ids: [open.id] },
      idempotencyKey: 'webchat-open-1',
    });
    expect(res.body).toMatchObject({ invited: 1 });
    const [invitation] = await open.client.waitForBotMessages(1);
    expect(invitation.text).toContain(translator('fr')('broadcasts.invitation.intro'));
    expect(invitation.suggestedActions?.actions.map((a) => a.value)).toEqual(['1', '2']);
    const booked = await open.client.sayUntil('1', translator('fr')('workshops.booked.done'));
    expect(booked.length).toBeGreaterThan(0);
    expect(
      await testApp().db.prisma.booking.count({
        where: { sessionId: session.id, beneficiaryId: open.id, status: 'booked' },
      }),
    ).toBe(1);

    // Samira closed the page a while ago: nobody reads her conversation any more.
    const conversationId = (
      await testApp().db.prisma.conversationRef.findFirstOrThrow({ where: { beneficiaryId: closed.id } })
    ).conversationId;
    const store = (testApp().directLine as unknown as { options: { store: ConversationStore } }).options.store;
    await new Promise((r) => setTimeout(r, 200));
    store.get(conversationId)!.lastPolledAt = Date.now() - 60_000; // (a minute ago, as if time passed)
    expect(store.isWatched(store.get(conversationId)!)).toBe(false);
    const res2 = await coordinator.call('POST', '/api/cip/broadcasts', {
      sessionId: session.id,
      audience: { ids: [closed.id] },
      idempotencyKey: 'webchat-closed-1',
    });
    expect(res2.body).toMatchObject({ invited: 1 });
    await testApp().core.notifier.sweep();
    const waiting = await testApp().db.prisma.message.findFirstOrThrow({
      where: { kind: 'broadcast', beneficiaryId: closed.id },
    });
    expect(waiting.status).toBe('queued');
    // She comes back (a new conversation): the invitation waits for her there.
    const back = await DirectLineClient.withToken(testApp().url, 'wc_broadcast_closed_012345678');
    try {
      const greeting = await back.waitForBotMessages(3);
      expect(greeting.map((m) => m.text).join('\n')).toContain(translator('fr')('broadcasts.invitation.intro'));
    } finally {
      back.end();
    }
  } finally {
    open.client.end();
  }
});
