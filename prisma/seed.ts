// Demo data (fictional): three SIAE with room for 2 refugees each, a restaurant, a farm, one CIP
// account, and workshops of every category with sessions over the next three weeks, some for
// under-25s only. Loaded by `npm run db:seed`, and by the first `npm start` on an empty database
// unless DEMO_DATA=off. Running it again adds nothing that is already there.
import { isUniqueViolation, type Db } from '../bot/db/client';
import { addLocalDays, zonedTime } from '../bot/services/time';

export const DEMO_CIP_EMAIL = 'cip@passerelle.local';

/** The structures; each has one contact (an SIAE's supervisor, a company's tutor), in CONTACTS. */
const STRUCTURES = [
  { name: 'Les Jardins du Val de Loire', kind: 'siae', sector: 'Maraîchage', capacity: 2, city: 'Blois' },
  { name: 'La Ressourcerie Blésoise', kind: 'siae', sector: 'Boutique de seconde main', capacity: 2, city: 'Blois' },
  { name: "Net'Insertion 41", kind: 'siae', sector: 'Nettoyage', capacity: 2, city: 'Vineuil' },
  { name: 'La Table du Château', kind: 'company', sector: 'Restauration', capacity: null, city: 'Blois' },
  { name: 'Ferme des Quatre Vents', kind: 'company', sector: 'Agriculture', capacity: null, city: 'Onzain' },
] as const;

const CONTACTS: Record<(typeof STRUCTURES)[number]['name'], { firstName: string; lastName: string; phone: string }> = {
  'Les Jardins du Val de Loire': { firstName: 'Sylvie', lastName: 'Moreau', phone: '+33639980101' },
  'La Ressourcerie Blésoise': { firstName: 'Karim', lastName: 'Benali', phone: '+33639980102' },
  "Net'Insertion 41": { firstName: 'Anne', lastName: 'Lefèvre', phone: '+33639980103' },
  'La Table du Château': { firstName: 'Julien', lastName: 'Roux', phone: '+33639980104' },
  'Ferme des Quatre Vents': { firstName: 'Marie', lastName: 'Girard', phone: '+33639980105' },
};

const PLATFORM = 'Passerelle, 3 rue des Écoles, Blois';
const MISSION_LOCALE = 'Mission Locale, 6 rue Franciade, Blois';

/** code, category, French title, place (of the sessions for over-25s; under-25s meet at the Mission Locale) */
const WORKSHOPS = [
  { code: 'workplace_codes', category: 'codes_soft_skills', title: 'Les codes du monde du travail', place: PLATFORM },
  { code: 'paperwork', category: 'paperwork', title: 'Papiers et démarches', place: PLATFORM },
  { code: 'job_search', category: 'job_search', title: 'Chercher un emploi : CV et entretien', place: PLATFORM },
  {
    code: 'company_visit',
    category: 'company_visit',
    title: "Visite d'entreprise : la ferme",
    place: 'Ferme des Quatre Vents, Onzain',
  },
  { code: 'digital', category: 'digital', title: 'Le téléphone et internet pour l’emploi', place: PLATFORM },
  {
    code: 'culture_sport',
    category: 'culture_sport',
    title: 'Sortie culture et sport',
    place: 'Château royal de Blois',
  },
] as const;

/** A session `offset` days from today (the next working day when that is a weekend) at `hour` (9.5: 9:30). */
const at = (offset: number, hour: number, audience: 'over25' | 'under25' = 'over25') => ({ offset, hour, audience });

/** Each workshop's sessions. */
const SESSIONS: Record<(typeof WORKSHOPS)[number]['code'], ReturnType<typeof at>[]> = {
  workplace_codes: [at(2, 9.5), at(9, 9.5), at(4, 14, 'under25')],
  paperwork: [at(3, 9.5), at(10, 14), at(11, 9.5, 'under25')],
  job_search: [at(5, 14), at(12, 9.5), at(16, 14, 'under25')],
  company_visit: [at(8, 9.5), at(15, 9.5)],
  digital: [at(1, 14), at(7, 14), at(14, 14, 'under25')],
  culture_sport: [at(6, 14), at(13, 14), at(18, 14, 'under25')],
};

export interface SeedOptions {
  now?: Date;
  timeZone?: string;
}

export interface SeedSummary {
  structures: number;
  contacts: number;
  staff: number;
  workshops: number;
  sessions: number;
}

/** True when the database holds no workshop and no structure yet (a first start). */
export async function isEmpty(prisma: Db): Promise<boolean> {
  const [structures, workshops] = await Promise.all([prisma.structure.count(), prisma.workshop.count()]);
  return structures === 0 && workshops === 0;
}

/** A working day `offset` days from `now`, or the next one when it falls on a weekend. */
function workingDay(now: Date, offset: number, timeZone: string) {
  let d = addLocalDays(now, offset, timeZone);
  while (d.weekday === 0 || d.weekday === 6) d = addLocalDays(now, ++offset, timeZone);
  return d;
}

export async function seedDemoData(prisma: Db, options: SeedOptions = {}): Promise<SeedSummary> {
  try {
    return await seedOnce(prisma, options);
  } catch (err) {
    // Another instance starting at the same moment seeded first (a unique key said so): its data
    // is there now, and a second pass adds whatever is still missing.
    if (!isUniqueViolation(err)) throw err;
    return seedOnce(prisma, options);
  }
}

async function seedOnce(prisma: Db, options: SeedOptions): Promise<SeedSummary> {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? 'Europe/Paris';
  const added: SeedSummary = { structures: 0, contacts: 0, staff: 0, workshops: 0, sessions: 0 };

  await prisma.$transaction(async (tx) => {
    if (!(await tx.staffUser.findUnique({ where: { email: DEMO_CIP_EMAIL } }))) {
      await tx.staffUser.create({ data: { email: DEMO_CIP_EMAIL, name: 'Camille Martin', role: 'cip' } });
      added.staff++;
    }

    for (const s of STRUCTURES) {
      if (await tx.structure.findFirst({ where: { name: s.name } })) continue;
      await tx.structure.create({
        data: {
          ...s,
          contacts: {
            create: { ...CONTACTS[s.name], role: s.kind === 'siae' ? 'supervisor' : 'tutor', language: 'fr' },
          },
        },
      });
      added.structures++;
      added.contacts++;
    }

    for (const w of WORKSHOPS) {
      let workshop = await tx.workshop.findUnique({ where: { code: w.code } });
      if (!workshop) {
        workshop = await tx.workshop.create({
          data: { code: w.code, category: w.category, title: w.title, durationMinutes: 120 },
        });
        added.workshops++;
      }
      const upcoming = await tx.workshopSession.count({ where: { workshopId: workshop.id, startsAt: { gt: now } } });
      if (upcoming > 0) continue;
      for (const { offset, hour, audience } of SESSIONS[w.code]) {
        const day = workingDay(now, offset, timeZone);
        const startsAt = zonedTime(day.year, day.month, day.day, Math.floor(hour), (hour % 1) * 60, timeZone);
        await tx.workshopSession.create({
          data: {
            workshopId: workshop.id,
            startsAt,
            endsAt: new Date(startsAt.getTime() + workshop.durationMinutes * 60_000),
            place: audience === 'under25' ? MISSION_LOCALE : w.place,
            capacity: audience === 'under25' ? 8 : 12,
            audience,
          },
        });
        added.sessions++;
      }
    }
  });
  return added;
}
