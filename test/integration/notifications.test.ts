// Notifications (messages the platform owes a person outside a turn): queued with the change that
// causes them, delivered once where the person can be reached, never proactively after "stop".
import type { Activity } from 'botbuilder';
import { isUniqueViolation, openDatabase } from '../../bot/db/client';
import { sqlTransaction } from '../../bot/db/sqlTransaction';
import { silentLogger } from '../../bot/runtime/logger';
import { Notifier, type ProactiveChannel } from '../../bot/channels/notifier';
import { queueNotification } from '../../bot/services/notifications';
import { rememberConversation } from '../../bot/services/people';
import { testDatabases, useDatabase } from '../support/databases';

describe.each(testDatabases())('notifications on $name', (kind) => {
  const db = useDatabase(kind);
  const now = new Date('2026-03-02T10:00:00Z');

  async function person(language = 'ar', optedOut = false) {
    const b = await db.prisma.beneficiary.create({
      data: { firstName: 'Samir', language, status: 'active', consentAt: now, optedOutAt: optedOut ? now : null },
    });
    await rememberConversation(
      db.prisma,
      {
        channel: 'chat',
        userKey: `u${b.id}`,
        conversationId: `c${b.id}`,
        reference: { conversation: { id: `c${b.id}` } },
      },
      { beneficiaryId: b.id },
      now,
    );
    return b;
  }

  const payload = {
    key: 'notifications.waitlistPromoted',
    session: {
      workshopCode: 'paperwork',
      title: 'Papiers et démarches',
      startsAt: '2026-03-03T08:30:00.000Z',
      place: 'Blois',
    },
  };

  function channel(accept: boolean) {
    const sent: { conversationId: string; activities: Partial<Activity>[] }[] = [];
    const sender: ProactiveChannel = {
      send: async (target, activities) => {
        if (accept) sent.push({ conversationId: target.conversationId, activities });
        return accept;
      },
    };
    return { sent, sender };
  }

  test('queued in the transaction of the change, addressed to the channel the person used last', async () => {
    const b = await person();
    await db.prisma.$transaction((tx) => queueNotification(tx, b.id, now, payload));
    const row = await db.prisma.message.findFirstOrThrow({ where: { beneficiaryId: b.id, kind: 'notification' } });
    expect(row).toMatchObject({ direction: 'out', status: 'queued', channel: 'chat', conversationId: `c${b.id}` });
    expect(row.payload).toEqual(payload);
  });

  test('addressed to the conversation of the latest inbound message, or to no channel without one', async () => {
    const b = await person();
    const later = new Date(now.getTime() + 60_000);
    const whatsapp = { channel: 'whatsapp', userKey: `wa${b.id}`, conversationId: `w${b.id}`, reference: {} };
    await rememberConversation(db.prisma, whatsapp, { beneficiaryId: b.id }, later);
    const id = await queueNotification(db.prisma, b.id, now, payload, { kind: 'reminder', notBefore: later });
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id } });
    const ref = await db.prisma.conversationRef.findFirstOrThrow({ where: { userKey: `wa${b.id}` } });
    expect(row).toMatchObject({ channel: 'whatsapp', conversationId: `w${b.id}`, conversationRefId: ref.id });
    expect(row).toMatchObject({ kind: 'reminder', nextAttemptAt: later, attempts: 0, beneficiaryId: b.id });

    const alone = await db.prisma.beneficiary.create({ data: { firstName: 'Lina', language: 'fr', status: 'active' } });
    const none = await db.prisma.message.findUniqueOrThrow({
      where: { id: await queueNotification(db.prisma, alone.id, now, payload) },
    });
    expect(none).toMatchObject({ channel: 'none', conversationId: null, conversationRefId: null, status: 'queued' });
    expect(none.nextAttemptAt).toEqual(now);
    expect(none.payload).toEqual(payload);
  });

  test('a contact is addressed by its own column', async () => {
    const structure = await db.prisma.structure.create({ data: { name: 'Ressourcerie', kind: 'siae' } });
    const contact = await db.prisma.contact.create({
      data: { structureId: structure.id, firstName: 'Claire', lastName: 'Bernard' },
    });
    const identity = { channel: 'chat', userKey: `k${contact.id}`, conversationId: `k${contact.id}`, reference: {} };
    await rememberConversation(db.prisma, identity, { contactId: contact.id }, now);
    const id = await queueNotification(db.prisma, { contactId: contact.id }, now, payload, { kind: 'attendance' });
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ contactId: contact.id, beneficiaryId: null, conversationId: `k${contact.id}` });
  });

  test('a dedupe key already used is a unique violation, from the client and from either transaction', async () => {
    const b = await person();
    const options = { dedupeKey: `reminder:${b.id}:2026-03-02` };
    await queueNotification(db.prisma, b.id, now, payload, options);
    const refusals = [
      () => queueNotification(db.prisma, b.id, now, payload, options),
      () => db.prisma.$transaction((tx) => queueNotification(tx, b.id, now, payload, options)),
      () => sqlTransaction(db.prisma, (tx) => queueNotification(tx, b.id, now, payload, options)),
    ];
    for (const refused of refusals) {
      const err = await refused().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isUniqueViolation(err)).toBe(true);
    }
    expect(await db.prisma.message.count({ where: { beneficiaryId: b.id, kind: 'notification' } })).toBe(1);
  });

  test("delivered once, in the person's language, and recorded as sent", async () => {
    const b = await person('ar');
    await queueNotification(db.prisma, b.id, now, payload);
    const { sent, sender } = channel(true);
    const notifier = new Notifier(db, 'Europe/Paris', silentLogger, () => now);
    notifier.register('chat', sender);
    expect(await notifier.deliver(b.id)).toBe(1);
    expect(await notifier.deliver(b.id)).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0].conversationId).toBe(`c${b.id}`);
    expect(sent[0].activities[0]).toMatchObject({ locale: 'ar', inputHint: 'acceptingInput' });
    expect(sent[0].activities[0].speak).toContain('xml:lang="ar-SA"');
    const row = await db.prisma.message.findFirstOrThrow({ where: { beneficiaryId: b.id, kind: 'notification' } });
    expect(row.status).toBe('sent');
    expect(row.sentAt).toEqual(now);
  });

  test('a person who cannot be reached now keeps the notification for later', async () => {
    const b = await person();
    await queueNotification(db.prisma, b.id, now, payload);
    const notifier = new Notifier(db, 'Europe/Paris', silentLogger, () => now);
    notifier.register('chat', channel(false).sender);
    expect(await notifier.deliver(b.id)).toBe(0);
    expect(
      (await db.prisma.message.findFirstOrThrow({ where: { beneficiaryId: b.id, kind: 'notification' } })).status,
    ).toBe('queued');
  });

  test('after "stop" nothing goes out proactively; it is handed over when the person comes back', async () => {
    const b = await person('fr', true);
    await queueNotification(db.prisma, b.id, now, payload);
    const { sent, sender } = channel(true);
    const notifier = new Notifier(db, 'Europe/Paris', silentLogger, () => now);
    notifier.register('chat', sender);
    expect(await notifier.deliver(b.id)).toBe(0);
    expect(sent).toHaveLength(0);
    expect(await notifier.deliver(b.id, { personIsHere: true })).toBe(1);
  });

  test('two instances delivering at the same moment send each notification once', async () => {
    const b = await person();
    for (let i = 0; i < 5; i++) await queueNotification(db.prisma, b.id, now, payload);
    // Two server instances: on PostgreSQL each with its own connection pool. SQLite has one
    // writer per file; two connections in one process would only wait on each other, so there
    // the two notifiers share the process's connection, as two workers of one instance would.
    const other =
      kind.name === 'postgresql'
        ? await openDatabase(db.url, { migrate: false })
        : { prisma: db.prisma, provider: db.provider, ping: db.ping, close: async () => undefined };
    try {
      const a = channel(true);
      const c = channel(true);
      const first = new Notifier(db, 'Europe/Paris', silentLogger, () => now);
      const second = new Notifier(other, 'Europe/Paris', silentLogger, () => now);
      first.register('chat', a.sender);
      second.register('chat', c.sender);
      const [x, y] = await Promise.all([first.deliver(b.id), second.deliver(b.id)]);
      expect(x + y).toBe(5);
      expect(a.sent.length + c.sent.length).toBe(5);
    } finally {
      await other.close();
    }
  });
});
