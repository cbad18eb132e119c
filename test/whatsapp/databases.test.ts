// The channel's SQL (inbound store and claims, the outbox, statuses) on both databases: SQLite,
// and PostgreSQL when it answers; and two server instances sharing one PostgreSQL database, as in
// a scaled-out deployment: each message handled once, a person's messages in order, each reply
// sent once.
import { translator } from '../../bot/i18n/translator';
import { queueNotification } from '../../bot/services/notifications';
import { sqliteConnectionOf } from '../../bot/db/sqliteWrites';
import { FAILURES, FakeGraphApi } from '../support/fakeGraphApi';
import { postgresKind, testDatabases } from '../support/databases';
import { planOf, statementsRun } from '../support/sqlitePlans';
import { countPrismaTransactions } from '../support/prismaTransactions';
import { startWhatsAppApp, textOf, type WhatsAppTestApp } from '../support/whatsappApp';
import { listReply, postWebhook, statusWebhook, text } from '../support/whatsappWebhooks';

describe.each(testDatabases())('WhatsApp channel on $name', (kind) => {
  let h: WhatsAppTestApp;
  beforeAll(async () => {
    h = await startWhatsAppApp({ kind });
  });
  afterAll(async () => {
    await h.close();
  });

  test('first contact, a language, consent: the answers, once each, in order', async () => {
    const p = { waId: '33600000601', name: 'Nour' };
    const body = text(p, 'bonjour');
    await Promise.all([postWebhook(h.app.url, body), postWebhook(h.app.url, body)]);
    await h.settled();
    expect(h.graph.sentTo(p.waId)).toHaveLength(1);
    await h.send(listReply(p, '3', '3. العربية'));
    await h.send(text(p, '١')); // read
    await h.send(text(p, '١')); // consent: yes
    const ar = translator('ar');
    const texts = h.graph.sentTo(p.waId).map(textOf).join('\n');
    expect(texts).toContain(ar('voice.question'));
    expect(texts).toContain(ar('onboarding.consent.question'));
    expect(texts).toContain(ar('onboarding.name.confirm', { name: 'Nour' }));
    const inbound = await h.app.db.prisma.message.findMany({ where: { direction: 'in', conversationId: p.waId } });
    expect(inbound.map((m) => m.status)).toEqual(['received', 'received', 'received', 'received']);
  });

  if (kind.name === 'sqlite')
    test("a person's turns, their commits, the replies' claims and sends open no Prisma transaction", async () => {
      const transactions = countPrismaTransactions(h.app.db.prisma);
      try {
        const p = { waId: '33600000699', name: 'Amal' };
        await h.send(text(p, 'bonjour'));
        await h.send(listReply(p, '3', '3. العربية'));
        await h.send(text(p, '١')); // read
        expect(h.graph.sentTo(p.waId).map(textOf).join('\n')).toContain(
          translator('ar')('onboarding.consent.question'),
        );
        // on the connection itself (bot/db/sqlTransaction.ts): the writer held for the statements only
        expect(transactions.opened()).toBe(0);
      } finally {
        transactions.restore();
      }
    });

  if (kind.name === 'sqlite')
    test("a commit's and a send's statements have the same text at every moment: compiled once", async () => {
      const connection = sqliteConnectionOf(h.app.db.prisma)!;
      const prepare = connection.prepare;
      const texts = new Set<string>();
      connection.prepare = ((sql: string) => (texts.add(sql), prepare(sql))) as typeof prepare;
      try {
        const p = { waId: '33600000698', name: 'Samir' };
        await h.send(text(p, 'bonjour'));
        await h.send(listReply(p, '1', '1. Français'));
        await h.send(text(p, '1')); // read
        expect(h.graph.sentTo(p.waId).length).toBeGreaterThanOrEqual(3);
      } finally {
        connection.prepare = prepare;
      }
      // (the time of each was written into the text: each commit and settlement compiled anew,
      // and pushed the other statements out of the cache)
      const kinds = (start: string) => [...texts].filter((sql) => sql.startsWith(start)).length;
      expect(kinds(`UPDATE "Message" SET "status" = 'received'`)).toBe(1);
      expect(kinds(`UPDATE "Message" SET "status" = 'sent'`)).toBe(1);
      expect(kinds(`UPDATE "Message" SET "nextAttemptAt"`)).toBe(1);
    });

  if (kind.name === 'sqlite')
    test("the claims find messages by id, and a person's earlier ones by index: no walk of the table", async () => {
      const p = { waId: '33600000697', name: 'Hadi' };
      const seen = await statementsRun(async () => {
        await h.send(text(p, 'bonjour'));
        await h.send(listReply(p, '1', '1. Français'));
      });
      expect(h.graph.sentTo(p.waId).length).toBeGreaterThanOrEqual(2);
      const connection = sqliteConnectionOf(h.app.db.prisma)!;
      const plans = [...seen]
        .filter(([sql]) => /^UPDATE "Message".* SET "status" = '(processing|sending)'/.test(sql))
        .map(([sql, args]) => planOf(connection, sql, args));
      expect(plans).toHaveLength(2); // the inbound claim and the outbox claim
      for (const plan of plans) {
        // (a walk of the table, or of all of one direction's messages, grows with the history kept)
        expect(plan.filter((d) => /^SCAN (Message|m|e|d)\b|BLOOM/.test(d))).toEqual([]);
        expect(plan.filter((d) => /\(direction=\?\)$/.test(d))).toEqual([]);
        expect(plan[0]).toMatch(/^SEARCH (Message|m) USING INTEGER PRIMARY KEY/);
        const earlier = plan.filter((d) => d.startsWith('SEARCH e '));
        expect(earlier.length).toBeGreaterThan(0);
        for (const d of earlier)
          expect(d).toContain(
            'Message_conversationId_direction_status_id_idx (conversationId=? AND direction=? AND status=? AND id<?)',
          );
      }
    });

  test('statuses forward only; a failed send retried; a 131047 answered with the template', async () => {
    const db = h.app.db.prisma;
    const b = await db.beneficiary.create({
      data: { firstName: 'Olena', language: 'uk', status: 'active', consentAt: new Date() },
    });
    await db.conversationRef.create({
      data: {
        channel: 'whatsapp',
        userKey: '33600000602',
        conversationId: '33600000602',
        reference: {},
        beneficiaryId: b.id,
        lastInboundAt: new Date(),
      },
    });
    h.graph.fail(FAILURES.serverError, { to: '33600000602' });
    h.graph.fail(FAILURES.reengage, { to: '33600000602' });
    const payload = {
      key: 'notifications.waitlistPromoted',
      session: { workshopCode: 'cv', title: 'CV', startsAt: '2026-12-10T09:30:00.000Z', place: 'Blois' },
    };
    await db.$transaction((tx) => queueNotification(tx, b.id, new Date(), payload));
    await h.app.core.notifier.deliver(b.id);
    await h.settled();
    const [sent] = h.graph.sentTo('33600000602');
    expect(sent.body.type).toBe('template');
    await h.send(statusWebhook([{ wamid: sent.wamid, status: 'read' }]));
    await h.send(statusWebhook([{ wamid: sent.wamid, status: 'delivered' }]));
    const row = await db.message.findUniqueOrThrow({ where: { providerId: `whatsapp:${sent.wamid}` } });
    expect(row).toMatchObject({ status: 'read', attempts: 3 });
    expect(row.deliveredAt).not.toBeNull();
  });
});

const pg = process.env.PASSERELLE_TEST_PG === '1' ? describe : describe.skip;

pg('two instances on one PostgreSQL database', () => {
  test("webhooks spread over both: each message handled once, each person's in order, each reply once", async () => {
    const graph = await FakeGraphApi.start();
    const first = await startWhatsAppApp({ kind: postgresKind, graph });
    const second = await startWhatsAppApp({ graph, reuse: first.db });
    try {
      const people = ['Ana', 'Bilal', 'Chiara', 'Dawit', 'Elif', 'Farid'].map((name, i) => ({
        waId: `3360000070${i}`,
        name,
      }));
      // hello, Français, read, consent: yes, "Is your first name …?" yes
      const script = ['bonjour', '1', '1', '1', '1'];
      const t = Date.now();
      // Each person's messages alternate between the instances, posted without waiting for answers.
      for (const [step, words] of script.entries()) {
        await Promise.all(
          people.map((p, i) =>
            postWebhook(
              (i + step) % 2 ? second.app.url : first.app.url,
              text(p, words, { timestamp: t + step * 1000 }),
            ),
          ),
        );
      }
      await Promise.all([first.settled(20000), second.settled(20000)]);
      await Promise.all([first.settled(), second.settled()]);
      const fr = translator('fr');
      for (const p of people) {
        const got = graph.sentTo(p.waId).map(textOf);
        // language list, read or listen, consent (statements and question), name, thanks and menu: in that order.
        expect(got[0]).toContain(fr('language.question'));
        expect(got.join('\n')).toContain(fr('voice.question'));
        expect(got.join('\n')).toContain(fr('onboarding.consent.question'));
        expect(got.at(-1)).toContain(fr('menu.question'));
        const inbound = await first.app.db.prisma.message.findMany({
          where: { direction: 'in', conversationId: p.waId },
          orderBy: { id: 'asc' },
        });
        expect(inbound.map((m) => m.status)).toEqual(script.map(() => 'received'));
      }
      const out = await first.app.db.prisma.message.findMany({ where: { direction: 'out', channel: 'whatsapp' } });
      expect(out.every((m) => m.status === 'sent')).toBe(true);
      expect(graph.sent).toHaveLength(out.length);
      expect(await first.app.db.prisma.beneficiary.count()).toBe(people.length);
    } finally {
      await second.app.stop();
      await first.close();
      await graph.close();
    }
  });
});
