// The web chat's rate limit per client address counted for every instance together on PostgreSQL
// (bot/http/sharedRateLimit.ts), with a clock of the test's own: the burst, the Retry-After, the
// allowance coming back, and the sweep of the addresses that have all of it again.
import { openDatabase, type Database } from '../../bot/db/client';
import { SharedRateLimit } from '../../bot/http/sharedRateLimit';
import { postgresKind } from '../support/databases';
import type { TempDatabase } from '../support/postgres';

const pg = process.env.PASSERELLE_TEST_PG === '1' ? describe : describe.skip;

pg('a rate limit shared on PostgreSQL', () => {
  let tmp: TempDatabase;
  let db: Database;
  beforeAll(async () => {
    tmp = await postgresKind.create();
    db = await openDatabase(tmp.url);
  });
  afterAll(async () => {
    await db.close();
    await tmp.drop();
  });

  test('3 at once, then one every 10 s; two limits of the same key do not mix; a swept key starts whole', async () => {
    let now = 1_000_000;
    const options = { burst: 3, perMinute: 6, now: () => now };
    const posts = new SharedRateLimit(db.prisma, { ...options, scope: 'posts' });
    const tokens = new SharedRateLimit(db.prisma, { ...options, scope: 'tokens' });
    expect([await posts.take('a'), await posts.take('a'), await posts.take('a')]).toEqual([0, 0, 0]);
    expect(await posts.take('a')).toBe(10); // the next one in 10 s
    expect(await tokens.take('a')).toBe(0);
    now += 4_000;
    expect(await posts.take('a')).toBe(6);
    now += 6_000;
    expect(await posts.take('a')).toBe(0);
    expect(await posts.take('a')).toBe(10);
    // nothing for a while: whole again, and swept (the other limit's row stays until its own sweep)
    now += 40_000;
    expect(await posts.sweep()).toBe(1);
    expect(await db.prisma.addressRate.findMany({ select: { key: true } })).toEqual([{ key: 'tokens:a' }]);
    expect([await posts.take('a'), await posts.take('a'), await posts.take('a'), await posts.take('a')]).toEqual([
      0, 0, 0, 10,
    ]);
  });
});
