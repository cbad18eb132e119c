// An employer and a person placed there, for the tests of an employer contact's chat (spring 2030).
import type { Database, Prisma } from '../../bot/db/client';

type Db = Database['prisma'];

/** An active SAS IAE placement of a person at a structure, from 1 March to 30 June 2030. */
export function placeSasIae(db: Db, person: { id: number }, structure: { id: number }) {
  return db.placement.create({
    data: {
      beneficiaryId: person.id,
      structureId: structure.id,
      kind: 'sas_iae',
      startDate: new Date(Date.UTC(2030, 2, 1)),
      endDate: new Date(Date.UTC(2030, 5, 30)),
      status: 'active',
    },
  });
}

/**
 * Les Jardins (an SIAE), its supervisor Sylvie (French, +33600000101) and Amina placed there
 * (active, consent given at `consentAt`; `amina` adds to her row).
 */
export async function jardinsWithAmina(
  db: Db,
  consentAt: Date,
  amina: Partial<Prisma.BeneficiaryUncheckedCreateInput> = {},
) {
  const structure = await db.structure.create({ data: { name: 'Les Jardins', kind: 'siae', capacity: 2 } });
  const sylvie = await db.contact.create({
    data: { structureId: structure.id, firstName: 'Sylvie', phone: '+33600000101', language: 'fr', role: 'supervisor' },
  });
  const person = await db.beneficiary.create({
    data: { firstName: 'Amina', status: 'active', consentAt, ...amina },
  });
  const placement = await placeSasIae(db, person, structure);
  return { structure, sylvie, amina: person, placement };
}
