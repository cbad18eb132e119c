// The cost of a Prisma query in this process (issue 16): on a fresh SQLite file migrated by the
// project's own runner (bot/db/migrate.ts), times N sequential `findUnique` on Beneficiary, then N
// rounds of a typical turn's ORM queries, and prints microseconds per query (wall clock and CPU of
// the process, over all N and for the best of 10 slices, the least disturbed on a shared machine),
// then a transaction of two reads, and a booking with its cancellation (N/5 pairs).
// `npm run build && node dist/bench/prismaQuery.js [N]` (default 5000; PRISMA_BENCH_N too).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../bot/db/client';
import { book, cancelBooking } from '../bot/services/workshops';

interface Figure {
  name: string;
  queries: number;
  /** over all N rounds */
  wallUsPerQuery: number;
  cpuUsPerQuery: number;
  /** the best of 10 slices of N/10 rounds: on a shared machine, the least disturbed */
  bestWallUsPerQuery: number;
  bestCpuUsPerQuery: number;
}

const SLICES = 10;
const round1 = (v: number) => Math.round(v * 10) / 10;

async function timed(name: string, rounds: number, perRound: number, run: (i: number) => Promise<unknown>) {
  // warm up: the first queries of a shape pay for loading and planning
  for (let i = 0; i < Math.min(200, rounds); i++) await run(i);
  let wallUs = 0;
  let cpuUs = 0;
  let bestWall = Infinity;
  let bestCpu = Infinity;
  const perSlice = Math.max(1, Math.floor(rounds / SLICES));
  for (let done = 0; done < rounds;) {
    const count = Math.min(perSlice, rounds - done);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = done; i < done + count; i++) await run(i);
    const wall = Number(process.hrtime.bigint() - start) / 1000;
    const used = process.cpuUsage(cpu);
    wallUs += wall;
    cpuUs += used.user + used.system;
    bestWall = Math.min(bestWall, wall / (count * perRound));
    bestCpu = Math.min(bestCpu, (used.user + used.system) / (count * perRound));
    done += count;
  }
  const queries = rounds * perRound;
  const figure: Figure = {
    name,
    queries,
    wallUsPerQuery: round1(wallUs / queries),
    cpuUsPerQuery: round1(cpuUs / queries),
    bestWallUsPerQuery: round1(bestWall),
    bestCpuUsPerQuery: round1(bestCpu),
  };
  const us = (v: number) => v.toFixed(1).padStart(7);
  const all = `wall ${us(figure.wallUsPerQuery)} CPU ${us(figure.cpuUsPerQuery)}`;
  const best = `wall ${us(figure.bestWallUsPerQuery)} CPU ${us(figure.bestCpuUsPerQuery)}`;
  console.log(`${name.padEnd(44)} ${String(queries).padStart(6)} queries, µs/query: ${all}; best slice: ${best}`);
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
    const workshop = await prisma.workshop.create({
      data: { code: 'bench', title: 'Bench', category: 'bench', durationMinutes: 60 },
    });
    const sessions: number[] = [];
    for (let k = 0; k < 5; k++) {
      const startsAt = new Date(Date.now() + (k + 1) * 24 * 3600_000);
      const session = await prisma.workshopSession.create({
        data: {
          workshopId: workshop.id,
          startsAt,
          endsAt: new Date(startsAt.getTime() + 3600_000),
          place: 'Tours',
          capacity: 8,
        },
      });
      sessions.push(session.id);
    }
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
      await timed('a transaction of two findUnique', n, 2, (i) =>
        prisma.$transaction(async (tx) => {
          await tx.beneficiary.findUnique({ where: { id: pick(i) } });
          await tx.beneficiary.findUnique({ where: { id: pick(i + 1) } });
        }),
      ),
      // what a booking turn and a cancelling turn write (bot/services/workshops.ts): a "query" is a pair
      await timed('book() then cancelBooking(), per pair', Math.ceil(n / 5), 1, async (i) => {
        const who = pick(i);
        const system = { type: 'system' } as const;
        const booked = await book(prisma, who, sessions[i % sessions.length], new Date(), {
          actor: system,
          waitlistIfFull: true,
          ignoreAgeGroup: true,
        });
        if (!('bookingId' in booked)) throw new Error(`not booked: ${booked.status}`);
        const cancelled = await cancelBooking(prisma, who, booked.bookingId, new Date(), system);
        if (cancelled.status !== 'cancelled') throw new Error(`not cancelled: ${cancelled.status}`);
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
