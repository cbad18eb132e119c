// Queries asked at each turn of a person read that person's rows through an index that starts with
// them: their cost does not grow with the messages and placements of everybody else, nor with the
// person's own history. SQLite, whose planner has no statistics, chose otherwise for three of them.
import BetterSqlite3 from 'better-sqlite3';
import { agenda } from '../../bot/services/agenda';
import { pendingNotifications } from '../../bot/services/notifications';
import { sqliteFilePath } from '../../bot/db/migrate';
import { sqliteKind, useDatabase } from '../support/databases';
import { planOf, statementsRun } from '../support/sqlitePlans';

describe('per-person queries on SQLite', () => {
  const db = useDatabase(sqliteKind);

  test("pending messages and immersions are read through the person's indexes", async () => {
    const prisma = db.prisma;
    const structure = await prisma.structure.create({ data: { name: 'Atelier Bois', kind: 'company' } });
    const b = await prisma.beneficiary.create({ data: { firstName: 'Ali', language: 'fa', status: 'active' } });
    const contact = await prisma.contact.create({
      data: { structureId: structure.id, firstName: 'Anne', phone: '+33600000900' },
    });
    const now = new Date();
    await prisma.placement.create({
      data: {
        beneficiaryId: b.id,
        structureId: structure.id,
        kind: 'immersion',
        status: 'active',
        startDate: new Date(now.getTime() - 86400_000),
        endDate: new Date(now.getTime() + 5 * 86400_000),
      },
    });
    const seen = await statementsRun(async () => {
      await pendingNotifications(prisma, b.id, now);
      await pendingNotifications(prisma, { contactId: contact.id }, now);
      expect(await agenda(prisma, b.id, now, 'Europe/Paris')).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'immersion', structure: 'Atelier Bois' })]),
      );
    });
    const explain = new BetterSqlite3(sqliteFilePath(db.url), { readonly: true });
    try {
      const plan = (table: string) =>
        [...seen]
          .filter(([sql]) => new RegExp(`FROM [\`"]?(main[\`"]?\\.[\`"]?)?${table}\\b`).test(sql))
          .map(([sql, args]) => planOf(explain, sql, args).join('\n'));
      const messages = plan('Message');
      expect(messages).toHaveLength(2);
      expect(messages.join('\n')).toContain('Message_beneficiaryId_status_idx (beneficiaryId=? AND status=?)');
      expect(messages.join('\n')).toContain('Message_contactId_status_idx (contactId=? AND status=?)');
      const placements = plan('Placement');
      expect(placements).toHaveLength(1);
      expect(placements[0]).toContain(
        'Placement_beneficiaryId_kind_startDate_idx (beneficiaryId=? AND kind=? AND startDate<?)',
      );
      for (const p of [...messages, ...placements]) expect(p).not.toMatch(/^SCAN/m);
    } finally {
      explain.close();
    }
  });
});
