// CSV exports for the funders' reporting: GET /api/cip/exports/<name>.csv with the filters of the
// page (cases, events, blockers, bookings, placements, exits, stats). Made for French Excel: UTF-8
// with a byte order mark, ";" between fields, CRLF line ends, days as YYYY-MM-DD and times as
// YYYY-MM-DD HH:MM:SS (UTC), decimals with a comma. A cell that Excel would read as a formula
// (=, +, -, @ first) is prefixed with a quote (csv-stringify's escape_formulas).
// Streamed: rows are read 1,000 at a time by id and written as the client takes them, so that an
// export of any size holds one page in memory. Each export writes an AuditEvent (action export,
// the resource, the filters and the number of rows), also when the download is cut short.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { Prisma } from '../db/client';
import { computeStats, type Stats } from '../services/stats';
import { ANY_STAFF, type Api, type ApiContext, type ApiDeps } from './http';
import { given } from './handlers';
import { caseScope } from './scope';
import { day, flag, id, text } from './schemas';
import { statsFilter, statsQuery } from './stats';
import { caseFilters, caseListWhere } from './beneficiaries';
import { exitOutcome } from './exits';

const PAGE = 1000;
const DAY_MS = 24 * 3600_000;

type Cell = string | number | boolean | Date | null | undefined;

/** A row as French Excel reads it. Days (midnight UTC) without their time. */
function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value).replace('.', ',');
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  return value;
}

/** The filters as given, days as YYYY-MM-DD, for the audit row. */
const filtersOf = (q: unknown) =>
  Object.fromEntries(
    Object.entries((q ?? {}) as Record<string, unknown>).flatMap(([k, v]) =>
      v === undefined ? [] : [[k, v instanceof Date ? v.toISOString().slice(0, 10) : v]],
    ),
  );

/** The columns of an export, header -> the row's field of that name, or what the cell shows. */
type Columns<R> = Record<string, keyof R | ((row: R) => Cell)>;

/** The rows of a model after the id `after`, in id order: where the next page starts. */
const after = <W>(where: W, id: number, take: number) => ({
  where: { AND: [where, { id: { gt: id } }] },
  orderBy: { id: 'asc' as const },
  take,
});

/** What a model's findMany is given to read a page of the rows that fit a where clause. */
type Page<W> = ReturnType<typeof after<W>>;

/** Rows of a model, PAGE at a time, in id order: the next page is read when the client has taken the last one. */
async function* pages<R extends { id: number }>(
  read: (after: number, take: number) => Promise<R[]>,
): AsyncGenerator<R> {
  let after = 0;
  for (;;) {
    const rows = await read(after, PAGE);
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

const period = {
  from: day.optional().describe('first day'),
  to: day.optional().describe('last day, included'),
};
type Period = { from?: Date; to?: Date };
const range = (q: Period) =>
  q.from || q.to
    ? { ...(q.from && { gte: q.from }), ...(q.to && { lt: new Date(q.to.getTime() + DAY_MS) }) }
    : undefined;

/** The rows of a model that fit `where`, read by `read` one page at a time (see `pages`). */
const rowsOf = <W, R extends { id: number }>(where: W, read: (page: Page<W>) => Promise<R[]>) =>
  pages((id, take) => read(after(where, id, take)));

export function exportRoutes(api: Api, { db, db: { prisma } }: ApiDeps): void {
  /** Declares /api/cip/exports/<name>.csv: its rows (streamed), their columns, its audit. */
  function csv<Q, R>(
    name: string,
    summary: string,
    query: z.ZodType<Q>,
    rows: (ctx: ApiContext, q: Q) => AsyncIterable<R> | Promise<AsyncIterable<R>>,
    columns: Columns<R>,
  ) {
    api.download(
      {
        method: 'get',
        path: `/api/cip/exports/${name}.csv`,
        summary,
        tag: 'exports',
        roles: ANY_STAFF,
        query,
        contentType: 'text/csv; charset=utf-8',
      },
      async (ctx, { query: q }, res) => {
        const cols = Object.entries(columns).map(([header, value]) => ({
          header,
          value: typeof value === 'function' ? value : (row: R) => row[value] as Cell,
        }));
        const source = await rows(ctx, q);
        let count = 0;
        let complete = false;
        async function* records() {
          for await (const row of source) {
            count++;
            yield cols.map((c) => cell(c.value(row)));
          }
        }
        res.writeHead(200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="passerelle-${name}-${ctx.now.toISOString().slice(0, 10)}.csv"`,
          'Cache-Control': 'no-store',
        });
        try {
          const stringifier = stringify({
            bom: true,
            delimiter: ';',
            record_delimiter: '\r\n',
            header: true,
            columns: cols.map((c) => c.header),
            escape_formulas: true,
          });
          // The response stays open until the audit row is written: a complete download is an audited one.
          await pipeline(Readable.from(records()), stringifier, res, { end: false });
          complete = true;
        } finally {
          await ctx.audit({
            action: 'export',
            resource: name,
            detail: { filters: filtersOf(q), rows: count, ...(!complete && { complete: false }) },
          });
        }
        res.end();
      },
    );
  }

  /**
   * Declares the export of a model's rows of a period, in the member's scope (`during` says which rows those are),
   * and of the filters given (the query's besides the period, each an equality on the field of its name), read by
   * `read` a page at a time.
   */
  function periodic<W, R extends { id: number }, S extends z.ZodRawShape>(
    name: string,
    summary: string,
    during: (ctx: ApiContext, q: Period) => W,
    read: (page: Page<W>) => Promise<R[]>,
    filters: S,
    columns: Columns<R>,
  ) {
    const keys = Object.keys(filters);
    const where = (ctx: ApiContext, q: Period) =>
      ({ ...during(ctx, q), ...given(q as Record<string, unknown>, keys) }) as W;
    csv(name, summary, z.object({ ...period, ...filters }), (ctx, q) => rowsOf(where(ctx, q as Period), read), columns);
  }

  // --- cases: the list's filters ------------------------------------------------------------------------------
  const casesQuery = z.object(caseFilters);
  type Case = Prisma.BeneficiaryGetPayload<object>;
  /** What the cases' and the exits' exports say of a person besides names: language, year of birth, protection. */
  const profile: Columns<Case> = { langue: 'language', annee_naissance: 'birthYear', protection: 'protectionStatus' };
  csv(
    'cases',
    'The cases of the list (its filters), as CSV',
    casesQuery,
    (ctx, q) => rowsOf(caseListWhere(ctx.staff, q, db.provider), (page) => prisma.beneficiary.findMany(page)),
    {
      id: 'id',
      prenom: 'firstName',
      nom: 'lastName',
      telephone: 'phone',
      ...profile,
      niveau_francais: 'frenchLevel',
      lecture: 'reads',
      etape: 'stage',
      statut: 'status',
      cip_id: 'cipId',
      date_entree: 'entryDate',
      date_sortie: 'exitDate',
      sortie_categorie: 'exitOutcome',
      sortie_detail: 'exitDetail',
      consentement: 'consentAt',
      cree_le: 'createdAt',
    },
  );

  // --- exits: the people who left in the period -------------------------------------------------------------
  const exitsQuery = z.object({ ...period, outcome: exitOutcome.optional(), cipId: id.optional() });
  csv(
    'exits',
    'Exits of a period (IAE reporting categories), as CSV',
    exitsQuery,
    (ctx, q) =>
      rowsOf(
        {
          AND: [
            caseScope(ctx.staff),
            { exitDate: range(q) ?? { not: null } },
            ...(q.outcome ? [{ exitOutcome: q.outcome }] : []),
            ...(q.cipId ? [{ cipId: q.cipId }] : []),
          ],
        },
        (page) => prisma.beneficiary.findMany(page),
      ),
    {
      id: 'id',
      date_entree: 'entryDate',
      date_sortie: 'exitDate',
      jours: (b) =>
        b.exitDate
          ? Math.round(
              (Date.parse(b.exitDate.toISOString().slice(0, 10)) - Date.parse(b.entryDate.toISOString().slice(0, 10))) /
                DAY_MS,
            )
          : null,
      categorie: 'exitOutcome',
      detail: 'exitDetail',
      ...profile,
      cip_id: 'cipId',
    },
  );

  // --- events: the timelines of the cases in scope ------------------------------------------------------------
  periodic(
    'events',
    'Timeline events of the cases in my scope (period, type, person), as CSV',
    (ctx, q): Prisma.CaseEventWhereInput => ({
      ...(ctx.staff.role === 'cip' && { beneficiary: caseScope(ctx.staff) }),
      ...(range(q) && { createdAt: range(q) }),
    }),
    (page) => prisma.caseEvent.findMany(page),
    {
      type: text(60).optional(),
      beneficiaryId: id.optional(),
      attention: flag.optional().describe('true: the alerts only'),
    },
    {
      id: 'id',
      personne_id: 'beneficiaryId',
      type: 'type',
      acteur: 'actorType',
      acteur_id: 'actorId',
      alerte: 'attention',
      date: 'createdAt',
      details: (e) => (e.payload === null ? null : JSON.stringify(e.payload)),
    },
  );

  // --- blockers -----------------------------------------------------------------------------------------------
  periodic(
    'blockers',
    'Blockers of the cases in my scope (reported in the period, status, category), as CSV',
    (ctx, q): Prisma.BlockerWhereInput => ({
      beneficiary: caseScope(ctx.staff),
      ...(range(q) && { createdAt: range(q) }),
    }),
    (page) => prisma.blocker.findMany(page),
    {
      status: z.enum(['open', 'in_progress', 'resolved']).optional(),
      category: text(30).optional(),
      beneficiaryId: id.optional(),
    },
    {
      id: 'id',
      reference: 'reference',
      personne_id: 'beneficiaryId',
      categorie: 'category',
      urgence: 'urgency',
      statut: 'status',
      signale_le: 'createdAt',
      resolu_le: 'resolvedAt',
      jours_pour_resoudre: (b) =>
        b.resolvedAt ? Math.round(((b.resolvedAt.getTime() - b.createdAt.getTime()) / DAY_MS) * 10) / 10 : null,
    },
  );

  // --- bookings: of the sessions starting in the period -----------------------------------------------------------
  periodic(
    'bookings',
    'Workshop bookings of the people in my scope (sessions of the period, a session, a status), as CSV',
    (ctx, q): Prisma.BookingWhereInput => ({
      beneficiary: caseScope(ctx.staff),
      ...(range(q) && { session: { startsAt: range(q) } }),
    }),
    (page) => prisma.booking.findMany({ ...page, include: { session: { include: { workshop: true } } } }),
    {
      sessionId: id.optional(),
      status: z.enum(['booked', 'waitlisted', 'cancelled', 'attended', 'no_show']).optional(),
    },
    {
      id: 'id',
      seance_id: 'sessionId',
      atelier: (b) => b.session.workshop.code,
      debut: (b) => b.session.startsAt,
      lieu: (b) => b.session.place,
      personne_id: 'beneficiaryId',
      statut: 'status',
      origine: 'source',
      inscrit_le: 'createdAt',
    },
  );

  // --- placements: those on at least one day of the period -----------------------------------------------------------
  periodic(
    'placements',
    'Placements of the people in my scope (on a day of the period, kind, status, structure), as CSV',
    (ctx, q): Prisma.PlacementWhereInput => ({
      beneficiary: caseScope(ctx.staff),
      ...(q.to && { startDate: { lte: q.to } }),
      ...(q.from && { endDate: { gte: q.from } }),
    }),
    (page) => prisma.placement.findMany({ ...page, include: { structure: true } }),
    {
      kind: z.enum(['sas_iae', 'immersion', 'poec', 'work_study', 'job']).optional(),
      status: z.enum(['planned', 'active', 'ended', 'cancelled']).optional(),
      structureId: id.optional(),
    },
    {
      id: 'id',
      personne_id: 'beneficiaryId',
      structure_id: 'structureId',
      structure: (p) => p.structure.name,
      type_structure: (p) => p.structure.kind,
      type: 'kind',
      debut: 'startDate',
      fin: 'endDate',
      jours: (p) => Math.round((p.endDate.getTime() - p.startDate.getTime()) / DAY_MS) + 1,
      statut: 'status',
    },
  );

  // --- stats: the figures of GET /api/cip/stats, one per line
  // -------------------------------------------------------------
  csv(
    'stats',
    'The statistics of a period (the filters of GET /api/cip/stats), one figure per line, as CSV',
    statsQuery,
    async (ctx, q) => statLines(await computeStats(db, statsFilter(ctx, q), ctx.now)),
    {
      rubrique: 'section',
      indicateur: 'indicator',
      cle: 'key',
      valeur: 'value',
    },
  );
}

interface StatLine {
  id: number;
  section: string;
  indicator: string;
  key: string;
  value: Cell;
}

/** The statistics flattened: section; indicator (the path of the figure); key (a row of a breakdown); value. */
async function* statLines(stats: Stats): AsyncGenerator<StatLine> {
  let n = 0;
  const line = (section: string, indicator: string, key: string, value: Cell): StatLine => ({
    id: ++n,
    section,
    indicator,
    key,
    value,
  });
  function* walk(section: string, path: string, value: unknown, key = ''): Generator<StatLine> {
    if (Array.isArray(value)) {
      for (const item of value as Record<string, unknown>[]) {
        const rowKey = String(
          item.key ?? item.category ?? (item.endDate ? `${item.name} ${item.endDate}` : (item.name ?? '')),
        );
        for (const [k, v] of Object.entries(item))
          if (!['key', 'category', 'name'].includes(k)) yield* walk(section, `${path}.${k}`, v, rowKey);
      }
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) yield* walk(section, path ? `${path}.${k}` : k, v, key);
    } else {
      yield line(section, path, key, value as Cell);
    }
  }
  for (const [section, value] of Object.entries(stats)) {
    if (section === 'filters') continue;
    yield* walk(section, '', value);
  }
}
