// The acceptance path of the proactive messages, on the demo data (its structures, contacts and
// workshops) with a fake WhatsApp Graph API and the app's clock on Wednesday 4 March 2026:
// a CIP signs in and registers eight people (one per language, consent given at the intake), places
// two of them in an immersion at La Table du Château and one in an SIAE, and broadcasts a workshop
// session to all: each gets it in their language; two answer "1" and are booked, one "2"; the
// broadcast's counts say so. At 17:00 the check-in reaches exactly the two people in an immersion
// that day, once. At 17:30 the demo tutor of La Table du Château is asked about the morning's
// shift, answers "2", and the CIP sees the alert.
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES, type LanguageCode } from '../../bot/i18n/languages';
import { signedIn, type StaffClient } from '../support/cipApi';
import { paris, startProactiveApp, type ProactiveApp } from '../support/proactiveApp';
import { templateButton, text } from '../support/whatsappWebhooks';
import { textOf } from '../support/whatsappApp';
import { FIRST_NAMES, TEMPLATE_LANGUAGE } from '../support/languageSamples';

let p: ProactiveApp;
afterEach(async () => {
  await p?.close();
});

test(
  'acceptance: a broadcast in every language, two "1" booked and one "2" counted; the 17:00 check-in ' +
    'reaches the immersion people once; an employer\'s "2" is an alert',
  async () => {
    p = await startProactiveApp({ QUIET_HOURS: '21:00-08:00' }, paris(4, 10));
    const db = p.h.app.db.prisma;
    const cip: StaffClient = await signedIn(p.h.app, 'cip');

    // The CIP registers one person per language; they consented at the intake and never wrote.
    const people: { id: number; waId: string; language: LanguageCode }[] = [];
    for (const [i, language] of LANGUAGE_CODES.entries()) {
      const waId = `3371000000${i}`;
      const res = await cip.call('POST', '/api/cip/beneficiaries', {
        firstName: FIRST_NAMES[language],
        phone: `+${waId}`,
        language,
        birthYear: 1985 + i,
        consent: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'active', cipId: cip.id });
      people.push({ id: res.body.id, waId, language });
    }
    const [fr, en, ar, fa, ps] = people;

    // Two immersions at the demo company La Table du Château (one with a shift this morning), one sas IAE, one
    // immersion over last week.
    const structures = (await cip.call('GET', '/api/cip/structures')).body.items as { id: number; name: string }[];
    const table = structures.find((s) => s.name === 'La Table du Château')!;
    const jardins = structures.find((s) => s.name === 'Les Jardins du Val de Loire')!;
    const place = async (
      who: { id: number },
      structureId: number,
      kind: string,
      startDate: string,
      endDate: string,
    ) => {
      const res = await cip.call('POST', '/api/cip/placements', {
        beneficiaryId: who.id,
        structureId,
        kind,
        startDate,
        endDate,
        status: 'active',
      });
      expect(res.status).toBe(201);
      return res.body.id as number;
    };
    const immersion = await place(ar, table.id, 'immersion', '2026-03-02', '2026-03-13');
    await place(fa, table.id, 'immersion', '2026-03-04', '2026-03-06');
    await place(ps, jardins.id, 'sas_iae', '2026-03-02', '2026-05-29');
    await place(en, table.id, 'immersion', '2026-02-23', '2026-02-27');
    const shift = await cip.call('POST', `/api/cip/placements/${immersion}/shifts`, {
      startsAt: paris(4, 9).toISOString(),
      endsAt: paris(4, 12).toISOString(),
    });
    expect(shift.status).toBe(201);

    // 10:00: the broadcast of a demo session to all active beneficiaries.
    const session = await db.workshopSession.findFirstOrThrow({
      where: { audience: 'over25', workshop: { code: 'job_search' } },
      include: { workshop: true },
    });
    const posted = await cip.call('POST', '/api/cip/broadcasts', {
      sessionId: session.id,
      audience: { all: true },
      idempotencyKey: 'acceptance-1',
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ invited: 8, skipped: 0 });
    await p.drained();
    for (const who of people) {
      const sent = p.h.graph.sentTo(who.waId);
      expect(sent).toHaveLength(1);
      // Nobody wrote yet: the approved template, in their template language, with their first name.
      const template = sent[0].body.template as {
        name: string;
        language: { code: string };
        components: { parameters: { text?: string }[] }[];
      };
      expect([who.language, template.name, template.language.code]).toEqual([
        who.language,
        'passerelle_workshop_invitation',
        TEMPLATE_LANGUAGE[who.language],
      ]);
      expect(template.components[0].parameters.map((x) => x.text)).toContain(FIRST_NAMES[who.language]);
    }

    // Two say "1" (a tap on the template's button, an Arabic-Indic digit), one says "2".
    const replyFr = await p.say(fr, templateButton(fr, '1', 'Je viens'));
    const replyAr = await p.say(ar, text(ar, '١'));
    const replyEn = await p.say(en, text(en, '2'));
    expect(replyFr).toContain(translator('fr')('workshops.booked.done'));
    expect(replyAr).toContain(translator('ar')('workshops.booked.done'));
    expect(replyEn).toContain(translator('en')('broadcasts.declined'));
    const bookings = await db.booking.findMany({ where: { sessionId: session.id }, orderBy: { beneficiaryId: 'asc' } });
    expect(bookings.map((b) => [b.beneficiaryId, b.status])).toEqual([
      [fr.id, 'booked'],
      [ar.id, 'booked'],
    ]);
    const report = await cip.call('GET', `/api/cip/broadcasts/${posted.body.broadcastId}`);
    expect(report.body.counts).toMatchObject({
      invited: 8,
      sent: 8,
      accepted: 2,
      declined: 1,
      skipped: 0,
      failed: 0,
      queued: 0,
    });
    // Posting it again sends nothing new.
    const again = await cip.call('POST', '/api/cip/broadcasts', {
      sessionId: session.id,
      audience: { all: true },
      idempotencyKey: 'acceptance-1',
    });
    expect(again.body).toMatchObject({ broadcastId: posted.body.broadcastId, created: false });

    // 17:00: the check-in, run twice, reaches the two people in an immersion today, once each.
    p.clock.now = paris(4, 17);
    const before = p.h.graph.sent.length;
    await p.run('checkins');
    await p.run('checkins');
    await p.drained();
    const checkIns = p.h.graph.sent.slice(before);
    expect(checkIns.map((m) => m.to).sort()).toEqual([ar.waId, fa.waId].sort());
    // ar wrote today (the window is open: free text); fa never did (the template).
    expect(textOf(checkIns.find((m) => m.to === ar.waId)!)).toContain(
      translator('ar')('checkins.question', { structure: 'La Table du Château' }),
    );
    expect(checkIns.find((m) => m.to === fa.waId)!.body.template).toMatchObject({
      name: 'passerelle_checkin',
      language: { code: 'prs_AF' },
    });
    expect(await db.checkIn.count()).toBe(2);

    // 17:30: the demo tutor of La Table du Château is asked about this morning's shift, and answers "2".
    p.clock.now = paris(4, 17, 30);
    await p.run('attendance-immersions');
    await p.drained();
    const julien = { waId: '33639980104' };
    const [request] = p.h.graph.sentTo(julien.waId);
    expect(request.body.template).toMatchObject({ name: 'passerelle_attendance_request', language: { code: 'fr' } });
    const answer = await p.say(julien, templateButton(julien, '2', 'Non'));
    expect(answer).toContain(translator('fr')('attendance.noted.absent', { name: FIRST_NAMES.ar }));
    expect(await db.shift.findUniqueOrThrow({ where: { id: shift.body.id } })).toMatchObject({ attendance: 'absent' });
    const alerts = (await cip.call('GET', '/api/cip/alerts')).body.items as {
      type: string;
      beneficiaryId: number;
      payload: unknown;
    }[];
    expect(alerts.filter((a) => a.beneficiaryId === ar.id).map((a) => a.type)).toContain('shift_attendance');
  },
);
