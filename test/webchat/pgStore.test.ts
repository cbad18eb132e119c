// The web chat's conversations in PostgreSQL (bot/channels/webchat/pgStore.ts): the same
// guarantees as the in-memory store (test/unit/conversationStore.test.ts), held by the database,
// and the wake-ups between two stores (two instances) on one database.
import type { Activity } from 'botbuilder';
import { Client } from 'pg';
import { PgWebChatStore, tokenHash, LISTENER_NAME } from '../../bot/channels/webchat/pgStore';
import type { ConversationStoreOptions } from '../../bot/channels/webchat/conversations';
import { silentLogger } from '../../bot/runtime/logger';
import { postgresKind, useDatabase } from '../support/databases';

const pg = process.env.PASSERELLE_TEST_PG === '1';

(pg ? describe : describe.skip)('the web chat store on PostgreSQL', () => {
  const db = useDatabase(postgresKind);
  let now = 1_000_000_000_000;
  const stores: PgWebChatStore[] = [];
  const open = async (extra: Partial<ConversationStoreOptions> = {}) => {
    const s = await PgWebChatStore.open(db.prisma, {
      tokenTtlSeconds: 60,
      idleSeconds: 600,
      maxConversationBytes: 64 * 1024,
      maxTotalBytes: 256 * 1024,
      url: db.url,
      log: silentLogger,
      now: () => now,
      ...extra,
    });
    stores.push(s);
    return s;
  };
  const activity = (text: string) => ({ type: 'message', text }) as Activity;
  const big = (text: string, kb: number) => activity(text + 'x'.repeat(kb * 1024));
  const texts = (list: Activity[]) => list.map((a) => a.text!.split(' ')[0]);
  /** A long poll of `a` after `watermark` wakes (well before its 10 s timeout) when `b` writes `text`. */
  const expectWokenBy = async (
    a: PgWebChatStore,
    b: PgWebChatStore,
    conversation: Parameters<PgWebChatStore['append']>[0],
    watermark: string,
    text: string,
  ) => {
    const started = Date.now();
    const waiting = a.waitForActivity(conversation, watermark, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await b.append(conversation, activity(text));
    await waiting;
    expect(Date.now() - started).toBeLessThan(3000);
  };
  const total = async () =>
    Number(
      (
        await db.prisma.$queryRawUnsafe<{ t: number }[]>(
          `SELECT COALESCE(SUM("bytes"),0)::float8 AS t FROM "WebChatConversation"`,
        )
      )[0].t,
    );

  beforeEach(async () => {
    now += 3_600_000;
    await db.prisma.$executeRawUnsafe(`DELETE FROM "WebChatConversation"`);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  test('tokens are random, kept as their hash only, scoped to one conversation, and expire', async () => {
    const s = await open();
    const a = await s.create('wc_user_a_0123456789', 'fr-FR');
    const b = await s.create();
    expect(a.token).not.toBe(b.token);
    expect(a.token.length).toBeGreaterThanOrEqual(40);
    expect((await s.conversationOfToken(a.token))?.id).toBe(a.conversation.id);
    expect(await s.conversationOfToken(b.token)).toMatchObject({ id: b.conversation.id, started: false });
    const rows = await db.prisma.webChatToken.findMany();
    expect(rows.map((r) => r.hash).sort()).toEqual([tokenHash(a.token), tokenHash(b.token)].sort());
    expect(JSON.stringify(rows)).not.toContain(a.token);
    now += 61_000;
    expect(await s.conversationOfToken(a.token)).toBeUndefined();
    const fresh = await s.issueToken(b.conversation);
    expect((await s.conversationOfToken(fresh))?.id).toBe(b.conversation.id);
    const refreshed = await s.refreshToken(b.conversation, fresh);
    expect(await s.conversationOfToken(fresh)).toBeUndefined();
    expect((await s.conversationOfToken(refreshed))?.id).toBe(b.conversation.id);
  });

  test('start() greets once, whichever instance opens the conversation', async () => {
    const [s1, s2] = [await open(), await open()];
    const { conversation } = await s1.create(undefined, 'ar-SA');
    const opened = await Promise.all([
      s1.start({ ...conversation }, 'wc_user_b_0123456789', 'fr-FR'),
      s2.start({ ...conversation }, 'wc_user_c_0123456789'),
    ]);
    expect(opened.filter(Boolean)).toHaveLength(1);
    const stored = (await s2.get(conversation.id))!;
    expect(stored.started).toBe(true);
    expect(stored.locale).toBe('ar-SA');
    expect(['wc_user_b_0123456789', 'wc_user_c_0123456789']).toContain(stored.userId);
    expect(await s1.setUser(stored, 'wc_other_0123456789')).toBe(stored.userId);
  });

  test('activities are read by watermark; old ones beyond the limit drop but watermarks stay right', async () => {
    const s = await open({ maxActivities: 3 });
    const { conversation } = await s.create();
    for (const t of ['a', 'b', 'c', 'd', 'e']) await s.append(conversation, activity(t));
    expect(texts((await s.since(conversation)).activities)).toEqual(['c', 'd', 'e']);
    expect(texts((await s.since(conversation, '3')).activities)).toEqual(['d', 'e']);
    expect(await s.since(conversation, '5')).toEqual({ activities: [], watermark: '5' });
    expect((await s.since(conversation)).activities[0].id).toBe(`${conversation.id}|0000003`);
    expect(texts(await s.recent(conversation, 2))).toEqual(['d', 'e']);
  });

  test('a conversation keeps its newest activities within its byte cap', async () => {
    const s = await open();
    const { conversation } = await s.create();
    for (let i = 0; i < 20; i++) await s.append(conversation, big(`m${i} `, 10));
    const kept = texts((await s.since(conversation)).activities);
    const row = await db.prisma.webChatConversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(row.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(kept.length).toBeGreaterThanOrEqual(5);
    expect(kept[kept.length - 1]).toBe('m19');
    expect(kept).not.toContain('m0');
    expect((await s.since(conversation)).watermark).toBe('20');
    expect(row.bytes).toBe(await total());
  });

  test('past the total, the conversations idle the longest lose their activities first', async () => {
    const s = await open();
    const convs = [];
    for (let i = 0; i < 8; i++) convs.push((await s.create()).conversation);
    for (const c of convs)
      for (let i = 0; i < 4; i++) {
        now += 1;
        await s.append(c, big('', 12)); // ~49 KB each, ~390 KB in all
      }
    expect(await total()).toBeLessThanOrEqual(256 * 1024);
    expect((await s.since(convs[0])).activities).toHaveLength(0);
    expect((await s.since(convs[7])).activities).toHaveLength(4);
    now += 1;
    await s.append(convs[0], big('again ', 1));
    expect((await s.since(convs[0])).activities).toHaveLength(1);
    expect(await total()).toBeLessThanOrEqual(256 * 1024);
  });

  test('at the conversation cap, one nobody reads makes room; when all are read, a visitor is refused', async () => {
    const s = await open({ maxConversations: 3 });
    const [a, b, c] = [await s.create(), await s.create(), await s.create()];
    await s.polled(b.conversation);
    await s.polled(c.conversation);
    const d = await s.create(); // a was never read: it goes
    expect(await s.get(a.conversation.id)).toBeUndefined();
    expect(await s.conversationOfToken(a.token)).toBeUndefined();
    await s.polled(d.conversation);
    await expect(s.create()).rejects.toThrow('');
    now += 31_000; // nobody has read them for 30 s
    await expect(s.create()).resolves.toBeDefined();
  });

  test('idle conversations nobody reads and expired tokens are forgotten by sweep()', async () => {
    const s = await open();
    const idle = await s.create();
    const read = await s.create();
    now += 601_000;
    await s.polled(read.conversation);
    expect(await s.sweep()).toBe(1);
    expect(await s.get(idle.conversation.id)).toBeUndefined();
    expect(await s.get(read.conversation.id)).toBeDefined();
    expect(await db.prisma.webChatToken.count()).toBe(0); // both expired (60 s)
  });

  test('a long poll on one instance wakes when another writes; no query while it waits; else its timeout', async () => {
    const [a, b] = [await open(), await open()];
    const { conversation } = await a.create();
    await a.append(conversation, activity('hello'));
    await expectWokenBy(a, b, conversation, '1', 'reply');
    expect(texts((await a.since(conversation, '1')).activities)).toEqual(['reply']);
    // News already there: at once. None: at the timeout.
    let started = Date.now();
    await a.waitForActivity(conversation, '1', 10_000);
    expect(Date.now() - started).toBeLessThan(1000);
    const queries = jest.spyOn(db.prisma, '$queryRawUnsafe');
    started = Date.now();
    await a.waitForActivity(conversation, '2', 1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(queries).toHaveBeenCalledTimes(1); // the look before waiting; none while it waits
    queries.mockRestore();
    // forget() on one instance ends the polls of the other.
    started = Date.now();
    const ended = a.waitForActivity(conversation, '2', 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await b.forget(conversation);
    await ended;
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('turns of one conversation run one after the other across stores; other conversations do not wait', async () => {
    const [a, b] = [await open(), await open()];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const log: string[] = [];
    const turn = (s: PgWebChatStore, id: string, name: string, ms: number) =>
      s.exclusive(id, async () => {
        log.push(`${name}+`);
        await sleep(ms);
        log.push(`${name}-`);
        return name;
      });
    const started = Date.now();
    const done = await Promise.all([
      turn(a, 'conv-1', 'a', 400),
      sleep(50).then(() => turn(b, 'conv-1', 'b', 10)),
      sleep(100).then(() => turn(b, 'conv-2', 'x', 10)),
    ]);
    expect(done).toEqual(['a', 'b', 'x']);
    expect(log).toEqual(['a+', 'x+', 'x-', 'a-', 'b+', 'b-']);
    expect(Date.now() - started).toBeLessThan(900); // woken by the NOTIFY of the end, not its 1 s retry
    // An instance that dies lets go of its turns: its connection's locks go with it.
    log.length = 0;
    const held = turn(a, 'conv-1', 'a', 3000);
    await sleep(100);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_NAME],
      );
    } finally {
      await admin.end();
    }
    const taken = Date.now();
    await turn(b, 'conv-1', 'b', 10);
    expect(Date.now() - taken).toBeLessThan(2500);
    expect(log).toEqual(['a+', 'b+', 'b-']);
    await held;
  });

  test('a spoken clip kept by one instance is served by another for 15 minutes, then goes', async () => {
    const [a, b] = [await open(), await open()];
    const { conversation } = await a.create();
    const audio = Buffer.from('OggS fake clip');
    let made = 0;
    const bytes = async () => (made++, audio);
    await a.keepClip(conversation.id, 't-clip-1', bytes, 15 * 60_000);
    await a.keepClip(conversation.id, 't-clip-1', bytes, 15 * 60_000); // the same again: kept already
    expect(made).toBe(1);
    expect(await b.clip(conversation.id, 't-clip-1')).toEqual(audio);
    expect(await b.clip('another-conversation', 't-clip-1')).toBeUndefined();
    now += 15 * 60_000 + 1;
    expect(await b.clip(conversation.id, 't-clip-1')).toBeUndefined();
    await b.sweep();
    expect(await db.prisma.webChatClip.count()).toBe(0);
    await a.keepClip(conversation.id, 't-clip-2', bytes, 15 * 60_000);
    await b.forget(conversation);
    expect(await db.prisma.webChatClip.count()).toBe(0);
    // A conversation already gone: nothing kept, nothing thrown.
    await a.keepClip(conversation.id, 't-clip-3', bytes, 15 * 60_000);
    expect(await db.prisma.webChatClip.count()).toBe(0);
  });

  test('the LISTEN connection is opened again when it drops, and polls wake again', async () => {
    const [a, b] = [await open(), await open()];
    const { conversation } = await a.create();
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database()`,
        [LISTENER_NAME],
      );
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    const deadline = Date.now() + 10_000;
    while (!(a.listening && b.listening) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(a.listening && b.listening).toBe(true);
    await expectWokenBy(a, b, conversation, '0', 'after');
  });
});
