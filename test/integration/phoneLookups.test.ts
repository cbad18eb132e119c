// Who writes from a phone number, asked at each turn of someone not known yet on WhatsApp: an
// employer contact (contactByPhone, contactById) or a case (caseForPhone, consentedCaseForPhone),
// read in SQL of our own on both databases: the same views the ORM gave, active contacts only,
// archived and erased cases left out, dates as dates.
import { contactById, contactByPhone } from '../../bot/services/contacts';
import { caseForPhone, consentedCaseForPhone } from '../../bot/services/people';
import { testDatabases, useDatabase } from '../support/databases';

describe.each(testDatabases())('phone lookups on $name', (kind) => {
  const db = useDatabase(kind);

  test('a contact by number in any usual form, or by id: with their structure; inactive ones are no one', async () => {
    const structure = await db.prisma.structure.create({ data: { name: 'Régie Nord', kind: 'siae' } });
    const optedOutAt = new Date('2026-11-02T08:30:00Z');
    const active = await db.prisma.contact.create({
      data: { structureId: structure.id, firstName: 'Nadia', phone: '+33611223344', language: 'ar', optedOutAt },
    });
    const gone = await db.prisma.contact.create({
      data: { structureId: structure.id, firstName: 'Paul', phone: '+33655667788', active: false },
    });
    const expected = {
      id: active.id,
      firstName: 'Nadia',
      phone: '+33611223344',
      language: 'ar',
      structureId: structure.id,
      structure: 'Régie Nord',
      optedOutAt,
    };
    for (const form of ['33611223344', '+33611223344', '06 11 22 33 44']) {
      expect(await contactByPhone(db.prisma, form)).toEqual(expected);
    }
    expect(await contactById(db.prisma, active.id)).toEqual(expected);
    expect(await contactByPhone(db.prisma, '+33655667788')).toBeUndefined();
    expect(await contactById(db.prisma, gone.id)).toBeUndefined();
    expect(await contactByPhone(db.prisma, '+33600000000')).toBeUndefined();
    expect(await contactByPhone(db.prisma, undefined)).toBeUndefined();
    // A language the bot does not speak reads as French, as before.
    await db.prisma.contact.update({ where: { id: active.id }, data: { language: 'xx', optedOutAt: null } });
    expect(await contactById(db.prisma, active.id)).toMatchObject({ language: 'fr', optedOutAt: null });
  });

  test('a case by number: archived ones left out; consentedCaseForPhone wants consent and an active case', async () => {
    const consentAt = new Date('2026-10-01T09:00:00Z');
    const consented = await db.prisma.beneficiary.create({
      data: { firstName: 'Amina', phone: '+33612000001', language: 'fa', birthYear: 1994, status: 'active', consentAt },
    });
    await db.prisma.beneficiary.create({ data: { firstName: 'Karim', phone: '+33612000002', status: 'active' } });
    await db.prisma.beneficiary.create({ data: { firstName: 'Old', phone: '+33612000003', status: 'archived' } });
    const found = await caseForPhone(db.prisma, '33612000001');
    expect(found).toEqual({
      id: consented.id,
      firstName: 'Amina',
      phone: '+33612000001',
      language: 'fa',
      birthYear: 1994,
      status: 'active',
      consentAt,
      optedOutAt: null,
    });
    expect(await consentedCaseForPhone(db.prisma, '+33612000001')).toEqual(found);
    expect(await caseForPhone(db.prisma, '+33612000002')).toMatchObject({ firstName: 'Karim', consentAt: null });
    expect(await consentedCaseForPhone(db.prisma, '+33612000002')).toBeUndefined(); // no consent yet
    expect(await caseForPhone(db.prisma, '+33612000003')).toBeUndefined(); // archived
    expect(await caseForPhone(db.prisma, '+33612009999')).toBeUndefined();
    expect(await caseForPhone(db.prisma, 'not a number')).toBeUndefined();
  });
});
