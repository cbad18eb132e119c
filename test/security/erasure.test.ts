// "Delete my data" carried out, and retention: a person with a distinctive name, phone and words
// on WhatsApp, on the web chat and through the CIP API is erased through the API; then no table
// of the database (SQLite and PostgreSQL, every row of every table) and no file of the media folder
// holds any of those values, while another person's data is still there. Only coordinators and
// admins may erase, with a reason, once. The nightly retention job (with the application's clock
// moved) forgets a web chat visitor who never consented 31 days after their last message, not 29,
// deletes old files nothing refers to, and erases a case archived longer than
// RETENTION_ARCHIVED_DAYS by the same erasure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { translator } from '../../bot/i18n/translator';
import { MediaStore } from '../../bot/media/store';
import { redact } from '../../bot/services/erasure';
import { testDatabases } from '../support/databases';
import { isPostgresUrl, sqliteFile, withRaw } from '../support/integration';
import { signedIn, type StaffClient } from '../support/cipApi';
import { runTsScript } from '../support/tsScript';
import { startWhatsAppApp, type WhatsAppTestApp } from '../support/whatsappApp';
import { text, voiceNote } from '../support/whatsappWebhooks';
import { oggOpus } from '../support/mediaSamples';

const fr = translator('fr');
const DAY = 86400_000;

/** What must not survive the erasure, searched for in lower case. */
const NEEDLES = ['zephyrine', 'quaxworth', '639981234', 'motdistinctif'];

/** Every row of every table, as text. */
async function dumpDatabase(url: string): Promise<{ tables: string[]; text: string }> {
  return withRaw(url, async (raw) => {
    const tables = isPostgresUrl(url)
      ? (
          await raw.query<{ name: string }>(
            `SELECT table_name AS name FROM information_schema.tables
              WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
          )
        ).map((t) => t.name)
      : (await raw.query<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((t) => t.name);
    let out = '';
    for (const t of tables) out += `== ${t}\n${JSON.stringify(await raw.query(`SELECT * FROM "${t}"`))}\n`;
    return { tables, text: out };
  });
}

/** Every file of the media folder: its name and its bytes, as text. */
function dumpFolder(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? dir, entry.name);
    out += `== ${entry.name}\n${fs.readFileSync(file).toString('latin1')}\n`;
  }
  return out;
}

const found = (haystack: string) => NEEDLES.filter((n) => haystack.toLowerCase().includes(n));

/** A web chat visitor through our Direct Line endpoint (plain HTTP, as the page does). */
async function webVisitor(h: WhatsAppTestApp, userId: string) {
  const { app } = h;
  const res = await fetch(`${app.url}/v3/directline/tokens/generate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: { id: userId } }),
  });
  expect(res.status).toBe(200);
  const { conversationId, token } = (await res.json()) as { conversationId: string; token: string };
  expect(
    (
      await fetch(`${app.url}/v3/directline/conversations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      })
    ).status,
  ).toBeLessThan(300);
  const settled = async () => {
    for (let i = 0; i < 500 && app.core.turns.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await app.core.messageLog.drain();
  };
  await settled();
  return {
    conversationId,
    /** what the page would read back: the status and the transcript */
    async transcript() {
      const res = await fetch(`${app.url}/v3/directline/conversations/${conversationId}/activities`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return { status: res.status, text: await res.text() };
    },
    async say(words: string) {
      const posted = await fetch(`${app.url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: { id: userId }, text: words }),
      });
      expect(posted.status).toBe(200);
      await settled();
    },
    async upload(bytes: Buffer, type: string, name: string) {
      const form = new FormData();
      form.append(
        'activity',
        new Blob(
          [JSON.stringify({ type: 'message', from: { id: userId }, attachments: [{ contentType: type, name }] })],
          { type: 'application/vnd.microsoft.activity' },
        ),
        'blob',
      );
      form.append('file', new Blob([bytes], { type }), name);
      const res = await fetch(`${app.url}/v3/directline/conversations/${conversationId}/upload?userId=${userId}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      expect(res.status).toBe(200);
      await settled();
    },
  };
}

/** An Ogg Opus voice note as recorders start one (see oggOpus), with words inside. */
function ogg(words: string): Buffer {
  return oggOpus(Buffer.concat([Buffer.alloc(32), Buffer.from(` ${words} `)]), 0x2345);
}

test('redaction replaces whole names and numbers in any case, not parts of other words', () => {
  const ids = ['Amina Diallo', 'Amina', 'Diallo', '+33639981234', '33639981234'];
  expect(
    redact({ text: 'Amina est venue. AMINA DIALLO, tel 33639981234 / +33639981234', n: 3, list: ['amina'] }, ids),
  ).toEqual({
    text: '[erased] est venue. [erased], tel [erased] / [erased]',
    n: 3,
    list: ['[erased]'],
  });
  // (a longer word, an identifier inside RETENTION_ARCHIVED_DAYS-like names, another number)
  expect(redact('Aminata, DIALLO_X, 336399812345', ids)).toBe('Aminata, DIALLO_X, 336399812345');
  expect(redact('Amina', [])).toBe('Amina');
});

describe.each(testDatabases())('erasure on $name', (kind) => {
  let h: WhatsAppTestApp;
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  let coordinator: StaffClient;
  let cip: StaffClient;

  beforeAll(async () => {
    h = await startWhatsAppApp({
      kind,
      now,
      env: {
        RETENTION_ARCHIVED_DAYS: '10',
        STAFF_SESSION_HOURS: String(24 * 30), // (signed in on day 0, still on day 11)
        DIRECTLINE_TOKENS_PER_MINUTE: '1000',
        DIRECTLINE_POSTS_PER_MINUTE: '10000',
      },
    });
    coordinator = await signedIn(h.app, 'coordinator');
    cip = await signedIn(h.app, 'cip');
  }, 60000);
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    offset = 0;
    coordinator = await signedIn(h.app, 'coordinator');
  });
  /** A consenting person's case, opened through the API by the coordinator (201); its id. */
  const newCase = async (fields: object) => {
    const created = await coordinator.call('POST', '/api/cip/beneficiaries', { ...fields, consent: true });
    expect(created.status).toBe(201);
    return created.body.id as number;
  };

  test(
    "everything that names the person goes, on every channel; another person's data stays; only managers, with " +
      'a reason, once',
    async () => {
      const { app } = h;
      // Through the API: the case, a search by name (the audit trail keeps the query), a placement with notes.
      const id = await newCase({
        firstName: 'Zephyrine',
        lastName: 'Quaxworth',
        phone: '06 39 98 12 34',
        birthYear: 1990,
      });
      expect((await coordinator.call('GET', '/api/cip/beneficiaries?q=Quaxworth')).body.total).toBe(1);
      await newCase({ firstName: 'Ottoline', lastName: 'Brambleby', phone: '+33639985555' }); // someone else
      const structure = await app.db.prisma.structure.findFirstOrThrow({
        where: { kind: 'company', contacts: { some: { phone: { not: null } } } },
        include: { contacts: true },
      });
      const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
      const today = new Date().toISOString().slice(0, 10);
      const inAMonth = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
      const placed = await coordinator.call('POST', '/api/cip/placements', {
        beneficiaryId: id,
        structureId: structure.id,
        tutorId: structure.contacts[0].id,
        kind: 'job',
        startDate: yesterday,
        endDate: inAMonth,
        status: 'active',
        notes: 'MOTDISTINCTIF-placement: Zephyrine likes mornings',
      });
      expect(placed.status).toBe(201);
      // A shift that just ended: the employer is asked whether "Zephyrine" came (a message that is the employer's, not
      // hers).
      const shift = await coordinator.call('POST', `/api/cip/placements/${placed.body.id}/shifts`, {
        startsAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
        endsAt: new Date(Date.now() - 3600_000).toISOString(),
      });
      expect(shift.status).toBe(201);
      const tomorrow = Date.now() + DAY;
      expect(
        (
          await coordinator.call('POST', `/api/cip/placements/${placed.body.id}/shifts`, {
            startsAt: new Date(tomorrow).toISOString(),
            endsAt: new Date(tomorrow + 3600_000).toISOString(),
          })
        ).status,
      ).toBe(201);
      expect(await app.jobs.run('attendance-shifts')).toMatchObject({ asked: 1 });
      const employerMessage = await app.db.prisma.message.findFirstOrThrow({
        where: { contactId: structure.contacts[0].id, dedupeKey: `attendance:${shift.body.id}` },
      });
      expect(JSON.stringify(employerMessage.payload)).toContain('Zephyrine');
      await app.db.prisma.checkIn.create({
        data: {
          placementId: placed.body.id,
          beneficiaryId: id,
          day: today,
          status: 'difficult',
          note: 'MOTDISTINCTIF-checkin',
        },
      });

      // On WhatsApp, from the case's number: words, a problem in words, a problem as a voice note, "delete my data".
      const wa = { waId: '33639981234', name: 'Zephyrine Quaxworth' };
      await h.send(text(wa, 'bonjour MOTDISTINCTIF-wa'), wa.waId);
      const report = async () => {
        await h.send(text(wa, '3'), wa.waId); // a problem
        await h.send(text(wa, '1'), wa.waId); // report one
        await h.send(text(wa, '1'), wa.waId); // housing
        await h.send(text(wa, '1'), wa.waId); // today
      };
      await report();
      await h.send(text(wa, 'MOTDISTINCTIF-blocker: Quaxworth family, no heating'), wa.waId);
      await report();
      h.graph.addMedia('media-zq', ogg('MOTDISTINCTIF-voice'), 'audio/ogg');
      await h.send(voiceNote(wa, 'media-zq'), wa.waId);
      await h.send(text(wa, 'supprimer'), wa.waId);
      await h.send(text(wa, '1'), wa.waId); // yes, delete
      const blockers = await app.db.prisma.blocker.findMany({ where: { beneficiaryId: id }, orderBy: { id: 'asc' } });
      expect(blockers).toHaveLength(2);
      expect(blockers[0].description).toContain('MOTDISTINCTIF-blocker');
      expect(blockers[1].attachments).toEqual([
        expect.objectContaining({ url: expect.stringMatching(/^\/webchat\/media\//) }),
      ]);
      expect(
        (
          await coordinator.call('PATCH', `/api/cip/blockers/${blockers[0].id}`, {
            status: 'in_progress',
            note: 'Called Zephyrine back, MOTDISTINCTIF-statusnote',
          })
        ).status,
      ).toBe(200);

      // On the web chat (a chat identity of its own: a pending case with the same first name), words and a file.
      const visitor = await webVisitor(h, 'wc_zephyrine_quaxworth_0001');
      await visitor.say('1'); // workshops: who are you first
      await visitor.say('1'); // Français
      await visitor.say('1'); // read (the voice question)
      await visitor.say('1'); // consent: yes
      await visitor.say('Zephyrine');
      await visitor.say('MOTDISTINCTIF-webchat');
      await visitor.upload(ogg('MOTDISTINCTIF-upload'), 'audio/ogg', 'Quaxworth-note.ogg');
      // A file the visitor sent that no row refers to: its description says who sent it.
      const unreferenced = 'Zq'.repeat(16);
      fs.writeFileSync(path.join(app.config.media.dir, unreferenced), ogg('MOTDISTINCTIF-unreferenced'));
      fs.writeFileSync(
        path.join(app.config.media.dir, `${unreferenced}.json`),
        JSON.stringify({
          id: unreferenced,
          contentType: 'audio/ogg',
          name: 'Quaxworth-2.ogg',
          size: 40,
          owner: { channel: 'webchat', user: 'wc_zephyrine_quaxworth_0001', conversation: visitor.conversationId },
        }),
      );
      const webCase = await app.db.prisma.beneficiary.findFirstOrThrow({
        where: { firstName: 'Zephyrine', id: { not: id } },
      });
      expect(
        await app.db.prisma.message.count({ where: { beneficiaryId: webCase.id, channel: 'webchat' } }),
      ).toBeGreaterThan(3);

      // The request is an alert with the way to carry it out.
      const alerts = await coordinator.call('GET', `/api/cip/alerts?beneficiaryId=${id}`);
      const request = alerts.body.items.find((a: { type: string }) => a.type === 'erasure_requested');
      expect(request.erasure).toEqual({
        done: false,
        erase: { method: 'POST', href: `/api/cip/beneficiaries/${id}/erase` },
      });

      // Everything is there before: the dump would see it, the open web chat shows it.
      const open = await visitor.transcript();
      expect(open.status).toBe(200);
      expect(found(open.text)).toEqual(expect.arrayContaining(['motdistinctif']));
      const before = await dumpDatabase(h.db.url);
      expect(found(before.text)).toEqual(NEEDLES);
      expect(found(dumpFolder(app.config.media.dir))).toEqual(expect.arrayContaining(['quaxworth', 'motdistinctif']));

      // Not a CIP; not without a reason; not a case that does not exist.
      expect(
        (await cip.call('POST', `/api/cip/beneficiaries/${id}/erase`, { reason: 'asked on WhatsApp' })).status,
      ).toBe(403);
      const noReason = await coordinator.call('POST', `/api/cip/beneficiaries/${id}/erase`, {});
      expect(noReason.status).toBe(400);
      expect(noReason.body.error.fields).toEqual([expect.objectContaining({ path: 'reason' })]);
      expect((await coordinator.call('POST', `/api/cip/beneficiaries/${id}/erase`, { reason: 'x' })).status).toBe(400);
      expect(
        (await coordinator.call('POST', '/api/cip/beneficiaries/999999/erase', { reason: 'asked on WhatsApp' })).status,
      ).toBe(404);
      expect(await app.db.prisma.beneficiary.count({ where: { id, erasedAt: { not: null } } })).toBe(0);

      const erased = await coordinator.call('POST', `/api/cip/beneficiaries/${id}/erase`, {
        reason: 'Zephyrine asked on WhatsApp (request of 3 December)',
      });
      expect(erased.status).toBe(200);
      expect(erased.body.counts).toMatchObject({ blockers: 2, checkIns: 1, placements: 1, shifts: 1, media: 1 });
      expect(erased.body.counts.messages).toBeGreaterThan(10);
      expect(erased.body.counts.redacted).toBeGreaterThan(0); // the search in the audit trail
      expect((await coordinator.call('POST', `/api/cip/beneficiaries/${id}/erase`, { reason: 'again' })).status).toBe(
        409,
      );
      const web = await coordinator.call('POST', `/api/cip/beneficiaries/${webCase.id}/erase`, {
        reason: 'the same person, on the web chat',
      });
      expect(web.status).toBe(200);
      expect(web.body.counts.media).toBe(2);

      // Nothing of them anywhere: every row of every table, every file.
      const after = await dumpDatabase(h.db.url);
      expect(after.tables).toEqual(
        expect.arrayContaining([
          'Beneficiary',
          'Message',
          'BotState',
          'ConversationRef',
          'CaseEvent',
          'AuditEvent',
          'Blocker',
          'CheckIn',
          'Placement',
        ]),
      );
      expect(found(after.text)).toEqual([]);
      expect(found(dumpFolder(app.config.media.dir))).toEqual([]);
      // The open web chat conversation is ended: its transcript (kept in memory) is gone.
      const ended = await visitor.transcript();
      expect(ended.status).not.toBe(200);
      expect(found(ended.text)).toEqual([]);
      // SQLite: not even in the free space of the database file or in its write-ahead log.
      if (!isPostgresUrl(h.db.url)) {
        const file = sqliteFile(h.db.url);
        // (read by another process: closing a file descriptor of the database here would drop the
        // application's SQLite locks, which are per process)
        const bytes = execFileSync('cat', [file, ...(fs.existsSync(`${file}-wal`) ? [`${file}-wal`] : [])], {
          maxBuffer: 1 << 30,
        }).toString('latin1');
        expect(bytes).toContain('Brambleby');
        expect(found(bytes)).toEqual([]);
      }
      // The other person is untouched.
      expect(after.text).toContain('Brambleby');
      expect(after.text).toContain('+33639985555');

      // What statistics need stays, with no identifier.
      const record = await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id } });
      expect(record).toMatchObject({
        firstName: null,
        lastName: null,
        phone: null,
        birthYear: null,
        status: 'erased',
        language: 'fr',
        stage: 'diagnostic',
      });
      expect(record.erasedAt).not.toBeNull();
      const events = await app.db.prisma.caseEvent.findMany({ where: { beneficiaryId: id } });
      expect(events.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'case_opened',
          'consent_given',
          'chat_linked',
          'blocker_reported',
          'erasure_requested',
          'case_erased',
        ]),
      );
      expect(events.find((e) => e.type === 'case_erased')!.payload).toEqual({
        previousStatus: 'active',
        ageGroup: 'over25',
      });
      expect(events.filter((e) => e.type !== 'case_erased').every((e) => e.payload === null)).toBe(true);
      expect(await app.db.prisma.placement.findFirstOrThrow({ where: { beneficiaryId: id } })).toMatchObject({
        kind: 'job',
        status: 'ended',
        notes: null,
      });
      expect(await app.db.prisma.shift.count({ where: { beneficiaryId: id } })).toBe(1);
      // The employer's message stays theirs, without her name.
      const redacted = await app.db.prisma.message.findUniqueOrThrow({ where: { id: employerMessage.id } });
      expect(JSON.stringify(redacted.payload)).toContain('[erased]');
      expect(await app.db.prisma.message.count({ where: { beneficiaryId: id } })).toBe(0);

      // The audit row: who, why (without the name), the counts.
      const audit = await app.db.prisma.auditEvent.findFirstOrThrow({
        where: { action: 'erased', resourceId: String(id) },
      });
      expect(audit).toMatchObject({ staffUserId: coordinator.id, resource: 'beneficiary', beneficiaryId: id });
      expect(audit.detail).toEqual({
        reason: '[erased] asked on WhatsApp (request of 3 December)',
        counts: erased.body.counts,
      });

      // The alert shows the request done.
      const done = await coordinator.call('GET', `/api/cip/alerts?beneficiaryId=${id}&acknowledged=true`);
      expect(done.body.items.find((a: { type: string }) => a.type === 'erasure_requested').erasure).toEqual({
        done: true,
      });

      // The person writes again: a stranger, asked for their language as anyone new.
      const again = await h.send(text(wa, 'bonjour'), wa.waId);
      expect(again.map((m) => JSON.stringify(m.body)).join('\n')).toContain(
        JSON.stringify(fr('language.question')).slice(1, -1),
      );
      expect(await app.db.prisma.beneficiary.count({ where: { phone: '+33639981234' } })).toBe(0);
    },
    120000,
  );

  test("the person's seats in sessions to come go to the first person waiting; past bookings stay", async () => {
    const db = h.app.db.prisma;
    const workshop = await db.workshop.findFirstOrThrow();
    const later = new Date(Date.now() + 5 * DAY);
    const session = await db.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt: later,
        endsAt: new Date(later.getTime() + 7200_000),
        place: 'Salle 2',
        capacity: 1,
        bookedCount: 1,
      },
    });
    const past = await db.workshopSession.create({
      data: {
        workshopId: workshop.id,
        startsAt: new Date(Date.now() - 5 * DAY),
        endsAt: new Date(Date.now() - 5 * DAY + 7200_000),
        place: 'Salle 2',
        capacity: 5,
        bookedCount: 1,
      },
    });
    const leaving = await db.beneficiary.create({
      data: { firstName: 'Leaving', status: 'active', consentAt: new Date() },
    });
    const waiting = await db.beneficiary.create({
      data: { firstName: 'Waiting', status: 'active', consentAt: new Date() },
    });
    await db.booking.create({ data: { sessionId: session.id, beneficiaryId: leaving.id, status: 'booked' } });
    await db.booking.create({ data: { sessionId: past.id, beneficiaryId: leaving.id, status: 'attended' } });
    await db.booking.create({
      data: { sessionId: session.id, beneficiaryId: waiting.id, status: 'waitlisted', waitlistedAt: new Date() },
    });

    const res = await coordinator.call('POST', `/api/cip/beneficiaries/${leaving.id}/erase`, {
      reason: 'asked by phone',
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ bookings: 1 });
    expect(await db.booking.findFirst({ where: { sessionId: session.id, beneficiaryId: leaving.id } })).toMatchObject({
      status: 'cancelled',
    });
    expect(await db.booking.findFirst({ where: { sessionId: session.id, beneficiaryId: waiting.id } })).toMatchObject({
      status: 'booked',
    });
    expect(await db.workshopSession.findUnique({ where: { id: session.id } })).toMatchObject({ bookedCount: 1 });
    expect(await db.booking.findFirst({ where: { sessionId: past.id, beneficiaryId: leaving.id } })).toMatchObject({
      status: 'attended',
    });
    expect(await db.caseEvent.count({ where: { beneficiaryId: waiting.id, type: 'waitlist_promoted' } })).toBe(1);
  });

  test(
    'retention: a never-consented visitor is forgotten after 30 days, not before; old unreferenced files go; ' +
      'an archived case is erased after RETENTION_ARCHIVED_DAYS',
    async () => {
      const { app } = h;
      const media = new MediaStore(app.config.media.dir);
      // Two visitors who never consented, with a file each; one 31 days ago, one 29 days ago (the
      // clock is moved 11 days on below: their rows are made 20 and 18 days older).
      const visitors = [];
      for (const user of ['wc_retention_stranger_old', 'wc_retention_stranger_new']) {
        const v = await webVisitor(h, user);
        await v.say('bonjour');
        await v.upload(ogg('a stranger'), 'audio/ogg', 'stranger.ogg');
        visitors.push({ ...v, user });
      }
      const [old, recent] = visitors;
      const filesOf = async (conversationId: string) =>
        (await app.db.prisma.message.findMany({ where: { conversationId } }))
          .flatMap((m) => JSON.stringify(m.payload).match(/\/webchat\/media\/([A-Za-z0-9_-]{32})/g) ?? [])
          .map((u) => u.slice(-32));
      const oldFile = (await filesOf(old.conversationId))[0];
      const recentFile = (await filesOf(recent.conversationId))[0];
      expect(oldFile && recentFile).toBeTruthy();
      const age = async (v: { conversationId: string; user: string }, days: number) => {
        const at = new Date(Date.now() - days * DAY);
        await app.db.prisma.message.updateMany({
          where: { conversationId: v.conversationId },
          data: { createdAt: at },
        });
        await app.db.prisma.botState.updateMany({
          where: { key: { in: [`webchat/users/${v.user}/`, `webchat/conversations/${v.conversationId}/`] } },
          data: { updatedAt: at },
        });
      };
      await age(old, 20);
      await age(recent, 18);
      // Files nothing refers to (a visitor who refused consent): an old one and a new one.
      const orphan = await media.addBytes(ogg('refused'), 'audio/ogg', 'refused.ogg');
      const fresh = await media.addBytes(ogg('just now'), 'audio/ogg', 'fresh.ogg');
      const longAgo = new Date(Date.now() - 20 * DAY);
      fs.utimesSync(path.join(media.dir, orphan.id), longAgo, longAgo);

      // Cases archived on day 0 and on day 5, with RETENTION_ARCHIVED_DAYS=10; an active one.
      const open = async (firstName: string) =>
        (await coordinator.call('POST', '/api/cip/beneficiaries', { firstName, lastName: 'Retention', consent: true }))
          .body.id as number;
      const early = await open('Archibald');
      const late = await open('Bertrand');
      const active = await open('Clothilde');
      expect(
        (await coordinator.call('POST', `/api/cip/beneficiaries/${early}/archive`, { reason: 'journey ended' })).status,
      ).toBe(200);
      offset = 5 * DAY;
      expect((await coordinator.call('POST', `/api/cip/beneficiaries/${late}/archive`, {})).status).toBe(200);
      expect(
        (await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: late } })).archivedAt!.getTime(),
      ).toBeGreaterThan(Date.now() + 4 * DAY);

      offset = 11 * DAY;
      const run = (await app.jobs.run('retention')) as {
        strangers: { conversations: number };
        media: number;
        archived: number;
      };
      expect(run.archived).toBe(1);

      // The 31-day-old visitor is forgotten: messages, the bot's state, their file.
      expect(await app.db.prisma.message.count({ where: { conversationId: old.conversationId } })).toBe(0);
      expect(
        await app.db.prisma.botState.count({
          where: { key: { in: [`webchat/users/${old.user}/`, `webchat/conversations/${old.conversationId}/`] } },
        }),
      ).toBe(0);
      expect(await media.get(oldFile)).toBeUndefined();
      // The 29-day-old one is still there.
      expect(await app.db.prisma.message.count({ where: { conversationId: recent.conversationId } })).toBeGreaterThan(
        0,
      );
      expect(await app.db.prisma.botState.count({ where: { key: `webchat/users/${recent.user}/` } })).toBe(1);
      expect(await media.get(recentFile)).toBeDefined();
      // Unreferenced files: the old one goes, the new one stays (it may be on its way into a message).
      expect(await media.get(orphan.id)).toBeUndefined();
      expect(await media.get(fresh.id)).toBeDefined();

      // The case archived 11 days ago is erased (the same erasure, by the retention job); the one of 6 days, and the
      // active one, are not.
      expect(await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: early } })).toMatchObject({
        firstName: null,
        lastName: null,
        status: 'erased',
      });
      expect(await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: late } })).toMatchObject({
        firstName: 'Bertrand',
        status: 'archived',
        erasedAt: null,
      });
      expect(await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: active } })).toMatchObject({
        firstName: 'Clothilde',
        status: 'active',
      });
      const audit = await app.db.prisma.auditEvent.findFirstOrThrow({
        where: { action: 'erased', resourceId: String(early) },
      });
      expect(audit).toMatchObject({
        staffUserId: null,
        detail: expect.objectContaining({
          by: 'retention',
          reason: expect.stringContaining('RETENTION_ARCHIVED_DAYS'),
        }),
      });
      // The search of "Archibald" in the audit trail... there was none; the creation's audit row stays, nameless.
      expect(
        JSON.stringify(await app.db.prisma.auditEvent.findMany({ where: { beneficiaryId: early } })),
      ).not.toContain('Archibald');

      // A second run finds nothing more to do.
      const second = (await app.jobs.run('retention')) as {
        strangers: { conversations: number };
        media: number;
        archived: number;
      };
      expect(second).toMatchObject({ strangers: { conversations: 0 }, media: 0, archived: 0 });
    },
    120000,
  );

  test(
    'npm run case:erase: erases with a reason, the audit row says "cli"; a second time, an unknown case or no ' +
      'reason: an error, nothing erased',
    async () => {
      const { app } = h;
      const id = String(await newCase({ firstName: 'Zephyrine', lastName: 'Quaxworth', phone: '+33639981234' }));
      const env = { DATABASE_URL: h.db.url, MEDIA_DIR: app.config.media.dir, DEMO_DATA: 'off' };
      const noReason = await runTsScript('case-erase', ['--id', id], env);
      expect(noReason.code).toBe(1);
      expect(noReason.out).toContain('--reason');
      expect(await app.db.prisma.beneficiary.count({ where: { id: Number(id), erasedAt: null } })).toBe(1);

      const done = await runTsScript('case-erase', ['--id', id, '--reason', 'asked by letter'], env);
      expect(done).toMatchObject({ code: 0, out: expect.stringContaining(`Case ${id} erased`) });
      expect(await app.db.prisma.beneficiary.findUniqueOrThrow({ where: { id: Number(id) } })).toMatchObject({
        firstName: null,
        lastName: null,
        phone: null,
        status: 'erased',
      });
      const audit = await app.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'erased', resourceId: id } });
      expect(audit).toMatchObject({
        staffUserId: null,
        detail: expect.objectContaining({ by: 'cli', reason: 'asked by letter' }),
      });

      expect(await runTsScript('case-erase', ['--id', id, '--reason', 'again'], env)).toMatchObject({
        code: 1,
        out: expect.stringContaining('erased already'),
      });
      expect(await runTsScript('case-erase', ['--id', '999999', '--reason', 'nobody'], env)).toMatchObject({
        code: 1,
        out: expect.stringContaining('No case 999999'),
      });
      expect(await app.db.prisma.auditEvent.count({ where: { action: 'erased', resourceId: id } })).toBe(1);
    },
    120000,
  );
});
