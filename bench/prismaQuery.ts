// The cost of a Prisma query in this process (issue 16): on a fresh SQLite file migrated by the
// project's own runner (bot/db/migrate.ts), times N sequential `findUnique` on Beneficiary, then N
// rounds of a typical turn's ORM queries, and prints microseconds per query (wall clock and CPU).
// `npm run build && node dist/bench/prismaQuery.js [N]` (default 5000; PRISMA_BENCH_N too).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../bot/db/client';

interface Figure {
  name: string;
  queries: number;
  wallUsPerQuery: number;
  cpuUsPerQuery: number;
}

async function timed(name: string, rounds: number, perRound: number, run: (i: number) => Promise<unknown>) {
  // warm up: the first queries of a shape pay for loading and planning
  for (let i = 0; i < Math.min(200, rounds); i++) await run(i);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run(i);
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const queries = rounds * perRound;
  const figure: Figure = {
    name,
    queries,
    wallUsPerQuery: Math.round((wallUs / queries) * 10) / 10,
    cpuUsPerQuery: Math.round(((used.user + used.system) / queries) * 10) / 10,
  };
  const us = (v: number) => v.toFixed(1).padStart(7);
  const count = String(queries).padStart(6);
  console.log(
    `${name.padEnd(44)} ${count} queries ${us(figure.wallUsPerQuery)} µs/query wall ${us(figure.cpuUsPerQuery)} µs CPU`,
  );
  return figure;
}

async function main() {
  const n = Number(process.argv[2] ?? process.env.PRISMA_BENCH_N ?? 5000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-prisma-bench-'));
  const db = await openDatabase(`file:${path.join(dir, 'bench.db')}`);
  const prisma = db.prisma;
  try {
    const people = 100;
    for (let i = 0; i < people; i++) {
      await prisma.beneficiary.create({
        data: { firstName: `P${i}`, phone: `+3361234${String(i).padStart(4, '0')}`, status: 'active' },
      });
    }
    const ids = (await prisma.beneficiary.findMany({ select: { id: true } })).map((b) => b.id);
    const pick = (i: number) => ids[i % ids.length];
    const version = (await import('../prisma/generated/sqlite/client')).Prisma.prismaVersion.client;
    console.log(`Prisma ${version}, SQLite, N=${n}, node ${process.version}`);

    const figures = [
      await timed('beneficiary.findUnique({ where: { id } })', n, 1, (i) =>
        prisma.beneficiary.findUnique({ where: { id: pick(i) } }),
      ),
      await timed('beneficiary.findUnique({ where: { phone } })', n, 1, (i) =>
        prisma.beneficiary.findUnique({ where: { phone: `+3361234${String(i % people).padStart(4, '0')}` } }),
      ),
      // a turn of the bot's own ORM queries (bot/services: people, questions, caseEvents, exits)
      await timed('a turn: findUnique, findMany, create, update', n, 4, async (i) => {
        const id = pick(i);
        await prisma.beneficiary.findUnique({ where: { id } });
        await prisma.message.findMany({
          where: { beneficiaryId: id, direction: 'out', kind: 'checkin' },
          orderBy: { id: 'desc' },
          take: 5,
          select: { id: true, payload: true },
        });
        await prisma.caseEvent.create({
          data: { beneficiaryId: id, type: 'bench', actorType: 'system', payload: { i } },
        });
        await prisma.beneficiary.update({ where: { id }, data: { voiceMode: i % 2 ? 'read' : 'listen' } });
      }),
    ];
    if (process.argv.includes('--json')) console.log(JSON.stringify({ prisma: version, n, figures }));
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
