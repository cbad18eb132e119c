// The case database's own guarantees, on a real database of each provider: a CaseEvent commits or
// rolls back with the change it records, and the unique keys the domain relies on hold.
import { appendCaseEvent } from '../../bot/services/caseEvents';
import {
  changeLanguage,
  giveConsent,
  optIn,
  optOut,
  rememberConversation,
  setBirthYear,
  setVoiceMode,
} from '../../bot/services/people';
import { testDatabases, useDatabase } from '../support/databases';
import { newWorkshopSession } from '../support/workshopFixture';

describe.each(testDatabases())('case database on $name', (kind) => {
  const db = useDatabase(kind);

  let seq = 0;
  const unique = (prefix: string) => `${prefix}-${++seq}-${Date.now()}`;

  describe('appendCaseEvent inside a transaction', () => {
    test('the event and the change it records commit together', async () => {
      const phone = `+3361${String(++seq).padStart(7, '0')}`;
      const { beneficiary, event } = await db.prisma.$transaction(async (tx) => {
        const beneficiary = await tx.beneficiary.create({ data: { phone, firstName: 'Amina', language: 'ar' } });
        const event = await appendCaseEvent(tx, {
          beneficiaryId: beneficiary.id,
          type: 'consent_given',
          actor: { type: 'beneficiary', id: beneficiary.id },
          payload: { channel: 'whatsapp', languages: ['ar', 'fr'], at: { step: 1 } },
          attention: true,
        });
        return { beneficiary, event };
      });
      const stored = await db.prisma.caseEvent.findUniqueOrThrow({ where: { id: event.id } });
      expect(stored).toMatchObject({
        beneficiaryId: beneficiary.id,
        type: 'consent_given',
        actorType: 'beneficiary',
        actorId: String(beneficiary.id),
        payload: { channel: 'whatsapp', languages: ['ar', 'fr'], at: { step: 1 } },
        attention: true,
        acknowledgedAt: null,
      });
      expect(stored.createdAt).toBeInstanceOf(Date);
      await expect(db.prisma.beneficiary.findUnique({ where: { phone } })).resolves.toMatchObject({
        id: beneficiary.id,
        language: 'ar',
      });
      // the event is part of the person's timeline
      const timeline = await db.prisma.beneficiary.findUniqueOrThrow({
        where: { id: beneficiary.id },
        include: { events: true },
      });
      expect(timeline.events.map((e) => e.type)).toEqual(['consent_given']);
    });

    test('both roll back when the transaction throws', async () => {
      const phone = `+3362${String(++seq).padStart(7, '0')}`;
      const eventsBefore = await db.prisma.caseEvent.count();
      let eventId: number | undefined;
      await expect(
        db.prisma.$transaction(async (tx) => {
          const beneficiary = await tx.beneficiary.create({ data: { phone } });
          const event = await appendCaseEvent(tx, {
            beneficiaryId: beneficiary.id,
            type: 'language_changed',
            actor: { type: 'system' },
          });
          eventId = event.id;
          // visible inside the transaction...
          expect(await tx.caseEvent.count({ where: { id: event.id } })).toBe(1);
          throw new Error('the step failed after writing');
        }),
      ).rejects.toThrow('the step failed after writing');
      expect(eventId).toBeDefined();
      // ...and gone with it
      await expect(db.prisma.caseEvent.findUnique({ where: { id: eventId! } })).resolves.toBeNull();
      await expect(db.prisma.beneficiary.findUnique({ where: { phone } })).resolves.toBeNull();
      expect(await db.prisma.caseEvent.count()).toBe(eventsBefore);
    });

    test('an event without a person or actor id (a system event) is written with nulls', async () => {
      const event = await appendCaseEvent(db.prisma, { type: 'scheduler_started', actor: { type: 'system' } });
      await expect(db.prisma.caseEvent.findUniqueOrThrow({ where: { id: event.id } })).resolves.toMatchObject({
        beneficiaryId: null,
        actorType: 'system',
        actorId: null,
        payload: null,
        attention: false,
      });
    });
  });

  test("a person's own changes by chat: the column, its updatedAt and the event, in one go", async () => {
    const { id, updatedAt } = await db.prisma.beneficiary.create({ data: { firstName: unique('p'), language: 'fr' } });
    const at = new Date('2026-12-06T09:30:00.123Z');
    await changeLanguage(db.prisma, id, 'fr', 'ar');
    await setBirthYear(db.prisma, id, 1999);
    await setVoiceMode(db.prisma, id, 'listen');
    await optOut(db.prisma, id, at);
    const stopped = await db.prisma.beneficiary.findUniqueOrThrow({ where: { id } });
    expect(stopped).toMatchObject({ language: 'ar', birthYear: 1999, voiceMode: 'listen', optedOutAt: at });
    expect(stopped.updatedAt.getTime()).toBeGreaterThanOrEqual(updatedAt.getTime());
    await optIn(db.prisma, id);
    expect((await db.prisma.beneficiary.findUniqueOrThrow({ where: { id } })).optedOutAt).toBeNull();
    const events = await db.prisma.caseEvent.findMany({ where: { beneficiaryId: id }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.type, e.payload, e.actorType, e.actorId])).toEqual([
      ['language_changed', { from: 'fr', to: 'ar' }, 'beneficiary', String(id)],
      ['profile_updated', { birthYear: 1999 }, 'beneficiary', String(id)],
      ['voice_changed', { to: 'listen' }, 'beneficiary', String(id)],
      ['opted_out', {}, 'beneficiary', String(id)],
      ['opted_in', {}, 'beneficiary', String(id)],
    ]);
    expect(events.every((e) => e.createdAt instanceof Date && !Number.isNaN(e.createdAt.getTime()))).toBe(true);
  });

  describe('consent and where to reach the person (SQL of our own)', () => {
    const identity = (
      userKey: string,
      conversationId: string,
      extra: { serviceUrl?: string; locale?: string } = {},
    ) => ({
      channel: 'webchat',
      userKey,
      conversationId,
      reference: { conversation: { id: conversationId }, user: { id: userKey }, channelId: 'webchat' },
      ...extra,
    });

    test('a new case: its columns, the conversation remembered, earlier messages attached, the event', async () => {
      const userKey = unique('u');
      const conversationId = unique('c');
      const phone = `+3362${String(++seq).padStart(7, '0')}`;
      const before = await db.prisma.message.create({
        data: { direction: 'in', channel: 'webchat', conversationId, status: 'received', payload: { text: 'salam' } },
      });
      const now = new Date('2026-12-06T10:00:00.250Z');
      const me = await giveConsent(db.prisma, {
        identity: identity(userKey, conversationId, { serviceUrl: 'https://chat.example.org/', locale: 'fa-AF' }),
        language: 'fa',
        firstName: 'Zahra',
        phone: phone.replace('+33', '0'),
        voiceMode: 'listen',
        now,
      });
      expect(me).toEqual({
        id: me.id,
        firstName: 'Zahra',
        phone,
        language: 'fa',
        birthYear: null,
        status: 'pending',
        consentAt: now,
        optedOutAt: null,
      });
      const row = await db.prisma.beneficiary.findUniqueOrThrow({ where: { id: me.id } });
      expect(row).toMatchObject({ voiceMode: 'listen', stage: 'diagnostic', status: 'pending', consentAt: now });
      expect(row.entryDate).toBeInstanceOf(Date);
      expect(row.createdAt.getTime()).toBe(row.updatedAt.getTime());
      const ref = await db.prisma.conversationRef.findUniqueOrThrow({
        where: { channel_userKey: { channel: 'webchat', userKey } },
      });
      expect(ref).toMatchObject({
        conversationId,
        serviceUrl: 'https://chat.example.org/',
        locale: 'fa-AF',
        reference: identity(userKey, conversationId).reference,
        beneficiaryId: me.id,
        contactId: null,
        lastInboundAt: now,
      });
      expect((await db.prisma.message.findUniqueOrThrow({ where: { id: before.id } })).beneficiaryId).toBe(me.id);
      const events = await db.prisma.caseEvent.findMany({ where: { beneficiaryId: me.id } });
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['consent_given', { channel: 'webchat', linked: false, language: 'fa' }],
      ]);

      // The next conversation: its id and time replace the old; what the channel did not give is kept.
      const later = new Date('2026-12-07T08:00:00.000Z');
      await rememberConversation(db.prisma, identity(userKey, `${conversationId}-2`), { beneficiaryId: me.id }, later);
      const again = await db.prisma.conversationRef.findUniqueOrThrow({ where: { id: ref.id } });
      expect(again).toMatchObject({
        conversationId: `${conversationId}-2`,
        serviceUrl: 'https://chat.example.org/',
        locale: 'fa-AF',
        reference: identity(userKey, `${conversationId}-2`).reference,
        beneficiaryId: me.id,
        lastInboundAt: later,
        createdAt: ref.createdAt,
      });
      expect(await db.prisma.conversationRef.count({ where: { channel: 'webchat', userKey } })).toBe(1);
    });

    test("a phone number on an archived case stays there; a CIP's case is linked, its stop undone", async () => {
      const phone = `+3363${String(++seq).padStart(7, '0')}`;
      const archived = await db.prisma.beneficiary.create({ data: { firstName: 'Old', phone, status: 'archived' } });
      const now = new Date('2026-12-06T11:00:00.000Z');
      const fresh = await giveConsent(db.prisma, {
        identity: identity(unique('u'), unique('c')),
        language: 'ps',
        firstName: 'Gul',
        phone,
        now,
      });
      expect(fresh.phone).toBeNull();
      expect((await db.prisma.beneficiary.findUniqueOrThrow({ where: { id: archived.id } })).phone).toBe(phone);
      const [event] = await db.prisma.caseEvent.findMany({ where: { beneficiaryId: fresh.id } });
      expect(event!.payload).toEqual({ channel: 'webchat', linked: false, language: 'ps', phoneOnCase: archived.id });

      const cips = await db.prisma.beneficiary.create({
        data: { firstName: 'Amina', status: 'active', language: 'fr', optedOutAt: new Date('2026-11-01T00:00:00Z') },
      });
      const linked = await giveConsent(db.prisma, {
        identity: identity(unique('u'), unique('c')),
        language: 'ar',
        linkTo: cips.id,
        voiceMode: 'read',
        now,
      });
      expect(linked).toMatchObject({
        id: cips.id,
        firstName: 'Amina',
        status: 'active',
        language: 'ar',
        consentAt: now,
      });
      expect(linked.optedOutAt).toBeNull();
      const row = await db.prisma.beneficiary.findUniqueOrThrow({ where: { id: cips.id } });
      expect(row).toMatchObject({ voiceMode: 'read', consentAt: now, optedOutAt: null, language: 'ar' });
      expect(row.updatedAt.getTime()).toBeGreaterThan(cips.updatedAt.getTime() - 1);
      await expect(
        giveConsent(db.prisma, { identity: identity(unique('u'), unique('c')), language: 'fr', linkTo: 999_999, now }),
      ).rejects.toThrow(/no case 999999/);
    });
  });

  describe('unique keys the domain requires', () => {
    async function fixtures() {
      const beneficiary = await db.prisma.beneficiary.create({ data: { firstName: unique('b') } });
      const other = await db.prisma.beneficiary.create({ data: { firstName: unique('b') } });
      const session = await newWorkshopSession(db.prisma, unique('w'), new Date(Date.now() + 86_400_000), 12);
      const structure = await db.prisma.structure.create({ data: { name: unique('s'), kind: 'company' } });
      const placement = await db.prisma.placement.create({
        data: {
          beneficiaryId: beneficiary.id,
          structureId: structure.id,
          kind: 'immersion',
          startDate: new Date(),
          endDate: new Date(Date.now() + 14 * 86_400_000),
        },
      });
      return { beneficiary, other, session, placement };
    }

    test('one Booking per (sessionId, beneficiaryId)', async () => {
      const { beneficiary, other, session } = await fixtures();
      await db.prisma.booking.create({
        data: { sessionId: session.id, beneficiaryId: beneficiary.id, status: 'booked' },
      });
      await expect(
        db.prisma.booking.create({
          data: { sessionId: session.id, beneficiaryId: beneficiary.id, status: 'waitlisted' },
        }),
      ).rejects.toMatchObject({ code: 'P2002' });
      // another person in the same session is fine
      await db.prisma.booking.create({ data: { sessionId: session.id, beneficiaryId: other.id, status: 'booked' } });
      const bookings = await db.prisma.booking.findMany({ where: { sessionId: session.id }, orderBy: { id: 'asc' } });
      expect(bookings.map((b) => [b.beneficiaryId, b.status])).toEqual([
        [beneficiary.id, 'booked'],
        [other.id, 'booked'],
      ]);
    });

    test('one CheckIn per (placementId, day)', async () => {
      const { beneficiary, placement } = await fixtures();
      const checkIn = { placementId: placement.id, beneficiaryId: beneficiary.id, day: '2026-03-30' };
      await db.prisma.checkIn.create({ data: checkIn });
      await expect(db.prisma.checkIn.create({ data: { ...checkIn, status: 'good' } })).rejects.toMatchObject({
        code: 'P2002',
      });
      // the next day is fine
      await db.prisma.checkIn.create({ data: { ...checkIn, day: '2026-03-31' } });
      const rows = await db.prisma.checkIn.findMany({ where: { placementId: placement.id }, orderBy: { day: 'asc' } });
      expect(rows.map((c) => [c.day, c.status])).toEqual([
        ['2026-03-30', 'sent'],
        ['2026-03-31', 'sent'],
      ]);
    });

    test('one Message per providerId (and per dedupeKey)', async () => {
      const providerId = unique('wamid');
      const message = { direction: 'in', channel: 'whatsapp', status: 'received', payload: { text: 'salam' } };
      await db.prisma.message.create({ data: { ...message, providerId } });
      await expect(db.prisma.message.create({ data: { ...message, providerId } })).rejects.toMatchObject({
        code: 'P2002',
      });
      await expect(
        db.prisma.message.createMany({
          data: [
            { ...message, providerId: unique('wamid') },
            { ...message, providerId },
          ],
        }),
      ).rejects.toMatchObject({
        code: 'P2002',
      });
      expect(await db.prisma.message.count({ where: { providerId } })).toBe(1);
      // many messages have no provider id (outbound ones not sent yet): NULL is not a duplicate
      await db.prisma.message.createMany({
        data: [
          { ...message, direction: 'out', status: 'queued' },
          { ...message, direction: 'out', status: 'queued' },
        ],
      });

      const dedupeKey = unique('checkin:1:2026-03-30');
      await db.prisma.message.create({ data: { ...message, direction: 'out', status: 'queued', dedupeKey } });
      await expect(
        db.prisma.message.create({ data: { ...message, direction: 'out', status: 'queued', dedupeKey } }),
      ).rejects.toMatchObject({
        code: 'P2002',
      });
    });
  });
});
