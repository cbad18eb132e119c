// PrismaStorage, the Bot Framework Storage of ConversationState and UserState, on a real database:
// eTags behave like the SDK's MemoryStorage, batched concurrent writes all land, and two instances
// over the same database (a restart, or a second server) see each other's writes.
import { ConversationState, TestAdapter, TurnContext, type StoreItems } from 'botbuilder';
import { openDatabase, type Database } from '../../bot/db/client';
import { checkedByText } from '../../bot/turns/changeCheckedState';
import { ETagConflictError, PrismaStorage } from '../../bot/turns/prismaStorage';
import { testDatabases } from '../support/databases';
import type { TempDatabase } from '../support/postgres';
import { rawQuery, withRaw } from '../support/integration';

describe.each(testDatabases())('PrismaStorage on $name', (kind) => {
  let tmp: TempDatabase;
  let db: Database;
  let storage: PrismaStorage;
  const others: Database[] = [];

  beforeEach(async () => {
    tmp = await kind.create();
    db = await openDatabase(tmp.url);
    storage = new PrismaStorage(db);
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    await db.close();
    await tmp.drop();
  });

  /** The row as stored, read without PrismaStorage. */
  async function stored(key: string): Promise<{ data: unknown; etag: string } | undefined> {
    const rows = await rawQuery<{ data: string; etag: string }>(
      tmp.url,
      `SELECT "data", "etag" FROM "BotState" WHERE "key" = ${kind.name === 'sqlite' ? '?' : '$1'}`,
      [key],
    );
    return rows[0] && { data: JSON.parse(rows[0].data), etag: rows[0].etag };
  }

  async function eTagOf(s: PrismaStorage, key: string): Promise<string> {
    const items = await s.read([key]);
    const eTag = items[key]?.eTag as string | undefined;
    if (!eTag) throw new Error(`no eTag for ${key}`);
    return eTag;
  }

  test('a state is made into text once a turn: its read, its comparison and its write share it', async () => {
    const state = checkedByText(new ConversationState(storage));
    const places = state.createProperty<{ marker: string; visits: number }>('place');
    const turn = () =>
      new TurnContext(new TestAdapter(), {
        type: 'message',
        channelId: 'test',
        from: { id: 'person-1', name: 'Person' },
        recipient: { id: 'bot', name: 'Passerelle' },
        conversation: { id: 'conversation-1', isGroup: false, conversationType: 'personal', name: '' },
      });
    const first = turn();
    await places.set(first, { marker: 'Blois', visits: 1 });
    await state.saveChanges(first);
    // JSON.stringify of the state itself, as opposed to the storage's lists of keys and rows
    const stringify = jest.spyOn(JSON, 'stringify');
    const ofState = () =>
      stringify.mock.calls.filter(([value]) => typeof value === 'object' && value !== null && 'place' in value).length;
    const writes = jest.spyOn(storage, 'write');
    try {
      const unchanged = turn();
      await places.get(unchanged);
      await state.saveChanges(unchanged);
      expect(writes).not.toHaveBeenCalled(); // the read text stands for the state as read
      const changed = turn();
      (await places.get(changed))!.visits = 2;
      await state.saveChanges(changed);
      expect(writes).toHaveBeenCalledTimes(1);
      // once a turn, for the comparison at its save (before: at each read and save, and at the write)
      expect(ofState()).toBe(2);
    } finally {
      stringify.mockRestore();
      writes.mockRestore();
    }
    expect((await stored('test/conversations/conversation-1/'))?.data).toEqual({
      place: { marker: 'Blois', visits: 2 },
    });
  });

  test('reading keys that were never written returns {}', async () => {
    await expect(storage.read(['missing/1', 'missing/2'])).resolves.toEqual({});
    await expect(storage.read([])).resolves.toEqual({});
  });

  test('write then read round-trips nested data, with an eTag', async () => {
    const item = {
      dialogState: { dialogStack: [{ id: 'main', state: { options: {}, values: { instanceId: 'x' }, stepIndex: 2 } }] },
      profile: {
        locale: 'ar',
        names: ['أحمد', 'Zoë'],
        age: 31,
        consent: true,
        nothing: null,
        nested: { deep: { deeper: [1, [2, { three: 3 }]] } },
      },
    };
    await storage.write({ 'webchat/conversations/c1/': item });
    const items = await storage.read(['webchat/conversations/c1/', 'other']);
    expect(Object.keys(items)).toEqual(['webchat/conversations/c1/']);
    const { eTag, ...data } = items['webchat/conversations/c1/'];
    expect(data).toEqual(item);
    expect(typeof eTag).toBe('string');
    expect(eTag.length).toBeGreaterThan(0);
    // the row holds the data without the eTag, and the eTag on its own
    await expect(stored('webchat/conversations/c1/')).resolves.toEqual({ data: item, etag: eTag });
  });

  test('every write changes the eTag', async () => {
    await storage.write({ k: { n: 1 } });
    const first = await eTagOf(storage, 'k');
    await storage.write({ k: { n: 2, eTag: first } });
    const second = await eTagOf(storage, 'k');
    expect(second).not.toBe(first);
    expect((await storage.read(['k'])).k).toEqual({ n: 2, eTag: second });
  });

  test('a write with a stale eTag is refused and leaves the stored value unchanged', async () => {
    await storage.write({ k: { n: 1 } });
    const stale = await eTagOf(storage, 'k');
    await storage.write({ k: { n: 2, eTag: stale } });
    const current = await eTagOf(storage, 'k');

    const refused = storage.write({ k: { n: 3, eTag: stale } });
    await expect(refused).rejects.toBeInstanceOf(ETagConflictError);
    await expect(refused).rejects.toMatchObject({ key: 'k' });
    await expect(storage.read(['k'])).resolves.toEqual({ k: { n: 2, eTag: current } });
    await expect(stored('k')).resolves.toEqual({ data: { n: 2 }, etag: current });
  });

  test("eTag '*' or no eTag overwrites whatever is stored", async () => {
    await storage.write({ k: { n: 1 } });
    await storage.write({ k: { n: 2, eTag: '*' } });
    expect((await storage.read(['k'])).k.n).toBe(2);
    await storage.write({ k: { n: 3 } });
    expect((await storage.read(['k'])).k.n).toBe(3);
    await storage.write({ k: { n: 4, eTag: '' } });
    expect((await storage.read(['k'])).k.n).toBe(4);
    await expect(stored('k')).resolves.toMatchObject({ data: { n: 4 } });
  });

  test('one write call with several keys stores them all; a conflict on one does not stop the others', async () => {
    await storage.write({ a: { v: 'a1' }, b: { v: 'b1' } });
    const staleA = await eTagOf(storage, 'a');
    await storage.write({ a: { v: 'a2' } });
    await expect(
      storage.write({ a: { v: 'a3', eTag: staleA }, b: { v: 'b2' }, c: { v: 'c1' } }),
    ).rejects.toBeInstanceOf(ETagConflictError);
    const items = await storage.read(['a', 'b', 'c']);
    expect([items.a.v, items.b.v, items.c.v]).toEqual(['a2', 'b2', 'c1']);
  });

  test('200 concurrent writes of different keys (batched together) all land', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `channel/conversations/conv-${i}/`);
    await Promise.all(keys.map((key, i) => storage.write({ [key]: { turn: i, text: `message ${i}` } })));
    const items = await storage.read(keys);
    expect(Object.keys(items).sort()).toEqual([...keys].sort());
    keys.forEach((key, i) => expect(items[key]).toMatchObject({ turn: i, text: `message ${i}` }));
    const [{ count }] = await rawQuery<{ count: number | string }>(tmp.url, 'SELECT COUNT(*) AS count FROM "BotState"');
    expect(Number(count)).toBe(200);
    // and concurrent reads of them are answered each with its own row
    const reads = await Promise.all(keys.map((key) => storage.read([key])));
    reads.forEach((r, i) => expect(r[keys[i]].turn).toBe(i));
  });

  test('more concurrent writes than one batch takes (1200) all land, updates included', async () => {
    const keys = Array.from({ length: 1200 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key, i) => storage.write({ [key]: { v: i } })));
    const before = await storage.read(keys);
    await Promise.all(keys.map((key, i) => storage.write({ [key]: { v: i + 1, eTag: before[key].eTag } })));
    const after = await storage.read(keys);
    expect(keys.every((key, i) => after[key].v === i + 1 && after[key].eTag !== before[key].eTag)).toBe(true);
  });

  test('concurrent writes of one key with the same eTag: the first wins, the others are refused', async () => {
    await storage.write({ k: { n: 0 } });
    const eTag = await eTagOf(storage, 'k');
    const results = await Promise.allSettled([1, 2, 3].map((n) => storage.write({ k: { n, eTag } })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(1)) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ETagConflictError);
    expect((await storage.read(['k'])).k.n).toBe(1);
  });

  test('delete removes the keys, and only them', async () => {
    await storage.write({ a: { v: 1 }, b: { v: 2 }, c: { v: 3 } });
    await storage.delete(['a', 'c', 'never-written']);
    expect(await storage.read(['a', 'b', 'c'])).toEqual({ b: { v: 2, eTag: expect.any(String) } });
    await expect(stored('a')).resolves.toBeUndefined();
    await storage.delete([]);
    expect(Object.keys(await storage.read(['b']))).toEqual(['b']);
  });

  test('a second instance over another connection (a restart, another server) shares state and eTags', async () => {
    const items: StoreItems = { 'user/u1': { profile: { language: 'fa' } } };
    await storage.write(items);

    // a restart: the first connection goes, a new one reads what it wrote
    const second = await openDatabase(tmp.url);
    others.push(second);
    const storage2 = new PrismaStorage(second);
    const seen = await storage2.read(['user/u1']);
    expect(seen['user/u1']).toMatchObject({ profile: { language: 'fa' } });
    const eTag = seen['user/u1'].eTag;
    expect(eTag).toBe(await eTagOf(storage, 'user/u1'));

    // a write by one instance makes the other's eTag stale
    await storage.write({ 'user/u1': { profile: { language: 'uk' }, eTag } });
    await expect(storage2.write({ 'user/u1': { profile: { language: 'ti' }, eTag } })).rejects.toBeInstanceOf(
      ETagConflictError,
    );
    expect((await storage2.read(['user/u1']))['user/u1'].profile.language).toBe('uk');

    // and the other way round
    const fresh = await eTagOf(storage2, 'user/u1');
    await storage2.write({ 'user/u1': { profile: { language: 'ps' }, eTag: fresh } });
    await expect(storage.write({ 'user/u1': { profile: { language: 'ru' }, eTag: fresh } })).rejects.toBeInstanceOf(
      ETagConflictError,
    );
    expect((await storage.read(['user/u1']))['user/u1'].profile.language).toBe('ps');
  });

  if (kind.name === 'postgresql') {
    test('two instances writing the same key at the same moment with one eTag: exactly one wins', async () => {
      const second = await openDatabase(tmp.url);
      others.push(second);
      const storage2 = new PrismaStorage(second);
      for (let round = 0; round < 20; round++) {
        await storage.write({ k: { round, by: 'setup' } });
        const eTag = await eTagOf(storage, 'k');
        const results = await Promise.allSettled([
          storage.write({ k: { round, by: 'one', eTag } }),
          storage2.write({ k: { round, by: 'two', eTag } }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ETagConflictError);
        const winner = results[0].status === 'fulfilled' ? 'one' : 'two';
        expect((await storage2.read(['k'])).k).toMatchObject({ round, by: winner });
      }
    });

    test('two instances writing the same new keys in opposite orders at once do not deadlock', async () => {
      const second = await openDatabase(tmp.url);
      others.push(second);
      const storage2 = new PrismaStorage(second);
      const keys = Array.from({ length: 40 }, (_, i) => `user/u${String(i).padStart(2, '0')}`);
      const middle = keys[20];
      // A third connection holds the middle key (an uncommitted insert), so that both batches are
      // caught inside their INSERT at the same time: in opposite orders, each would then hold rows
      // the other needs, and PostgreSQL would abort one of them as a deadlock.
      await withRaw(tmp.url, async (blocker) => {
        await blocker.exec('BEGIN');
        await blocker.query(
          `INSERT INTO "BotState" ("key", "data", "etag", "updatedAt") VALUES ($1, '{}', 'blocker', now())`,
          [middle],
        );
        const writes = Promise.allSettled([
          storage.write(Object.fromEntries(keys.map((k) => [k, { by: 'one' }]))),
          storage2.write(Object.fromEntries([...keys].reverse().map((k) => [k, { by: 'two' }]))),
        ]);
        // wait until both batches are waiting for a lock
        const deadline = Date.now() + 5000;
        for (;;) {
          const [{ waiting }] = await rawQuery<{ waiting: string }>(
            tmp.url,
            `SELECT COUNT(*) AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (Number(waiting) >= 2) break;
          if (Date.now() > deadline) throw new Error('the two batches never waited together');
          await new Promise((r) => setTimeout(r, 20));
        }
        await blocker.exec('ROLLBACK');
        const results = await writes;
        expect(
          results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
        ).toEqual([]);
      });
      const items = await storage.read(keys);
      expect(Object.keys(items).sort()).toEqual(keys);
      // each key holds one of the two writes, whole
      expect(Object.values(items).every((item) => item.by === 'one' || item.by === 'two')).toBe(true);
    });
  }
});
