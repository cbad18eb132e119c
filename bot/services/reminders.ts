// The evening reminder (REMINDER_CRON, 18:00): everyone with a workshop or a shift tomorrow gets
// one message listing them, with "1 I'll be there / 2 I can't come". One per person and day (a
// unique key on the outbox row: a second run or instance sends nothing new). "1" confirms the
// shifts; "2" goes to the cancel (workshop) or decline (shift) flows.
import { isUniqueViolation, type Database, type Db } from '../db/client';
import { addLocalDays, localDay, zonedTime } from './time';
import { appendCaseEvent, type Actor } from './caseEvents';
import { queueNotification } from './notifications';
import { answerQuestion, askQuestion } from './questions';
import { nextAllowed, type QuietHours } from './quietHours';
import { confirmShift } from './shifts';

/** What tomorrow holds, as kept in the reminder (dates as ISO text). */
export type ReminderItem =
  | {
      type: 'workshop';
      bookingId: number;
      workshopCode: string;
      title: string;
      startsAt: string;
      endsAt: string;
      place: string;
    }
  | { type: 'shift'; shiftId: number; structure: string; startsAt: string; endsAt: string };

export interface ReminderPayload {
  key: 'reminders.tomorrow';
  [value: string]: unknown;
  /** YYYY-MM-DD, local */
  day: string;
  items: ReminderItem[];
  /** the first item, as the WhatsApp template shows it */
  item: { workshopCode?: string; title: string; startsAt: string; place: string };
}

export interface ReminderOptions {
  timeZone: string;
  quiet?: QuietHours;
}

export interface ReminderRun {
  /** tomorrow, YYYY-MM-DD */
  day: string;
  reminded: number;
  already: number;
  /** not reminded: the run came in the quiet hours and the message could only go out once tomorrow has begun */
  tooLate: number;
}

/** Tomorrow's workshops (booked) and shifts (not declined) of people we may write to, by person. */
async function tomorrowsItems(db: Db, now: Date, timeZone: string) {
  const next = addLocalDays(now, 1, timeZone);
  const from = zonedTime(next.year, next.month, next.day, 0, 0, timeZone);
  const after = addLocalDays(from, 1, timeZone);
  const until = zonedTime(after.year, after.month, after.day, 0, 0, timeZone);
  const reachable = { status: 'active', optedOutAt: null };
  const [bookings, shifts] = await Promise.all([
    db.booking.findMany({
      where: {
        status: 'booked',
        beneficiary: reachable,
        session: { status: 'scheduled', startsAt: { gte: from, lt: until } },
      },
      include: { session: { include: { workshop: true } } },
    }),
    db.shift.findMany({
      where: {
        confirmation: { not: 'declined' },
        beneficiary: reachable,
        startsAt: { gte: from, lt: until },
        placement: { status: { in: ['planned', 'active'] } },
      },
      include: { placement: { include: { structure: true } } },
    }),
  ]);
  const byPerson = new Map<number, ReminderItem[]>();
  const add = (id: number, item: ReminderItem) => byPerson.set(id, [...(byPerson.get(id) ?? []), item]);
  for (const b of bookings) {
    const s = b.session;
    add(b.beneficiaryId, {
      type: 'workshop',
      bookingId: b.id,
      workshopCode: s.workshop.code,
      title: s.workshop.title,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
      place: s.place,
    });
  }
  for (const s of shifts) {
    add(s.beneficiaryId, {
      type: 'shift',
      shiftId: s.id,
      structure: s.placement.structure.name,
      startsAt: s.startsAt.toISOString(),
      endsAt: s.endsAt.toISOString(),
    });
  }
  for (const items of byPerson.values()) items.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return { day: localDay(from, timeZone), from, byPerson };
}

/** Reminds everyone of tomorrow; each person once a day, however often it runs. */
export async function sendReminders(database: Database, now: Date, options: ReminderOptions): Promise<ReminderRun> {
  const db = database.prisma;
  const { day, from, byPerson } = await tomorrowsItems(db, now, options.timeZone);
  const notBefore = nextAllowed(now, options.quiet);
  if (notBefore >= from) return { day, reminded: 0, already: 0, tooLate: byPerson.size };
  let reminded = 0;
  let already = 0;
  for (const [beneficiaryId, items] of byPerson) {
    const first = items[0];
    const payload: ReminderPayload = {
      key: 'reminders.tomorrow',
      day,
      items,
      item:
        first.type === 'workshop'
          ? { workshopCode: first.workshopCode, title: first.title, startsAt: first.startsAt, place: first.place }
          : { title: first.structure, startsAt: first.startsAt, place: first.structure },
    };
    try {
      await db.$transaction(async (tx) => {
        const messageId = await queueNotification(tx, beneficiaryId, now, payload, {
          kind: 'reminder',
          dedupeKey: `reminder:${beneficiaryId}:${day}`,
          notBefore,
        });
        // Answerable until the first of them starts.
        await askQuestion(tx, {
          beneficiaryId,
          kind: 'reminder',
          refId: messageId,
          messageId,
          expiresAt: new Date(first.startsAt),
        });
      });
      reminded++;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      already++;
    }
  }
  return { day, reminded, already, tooLate: 0 };
}

/** The reminder a question asked (its message's payload). */
export async function reminderOf(db: Db, messageId: number): Promise<ReminderPayload | undefined> {
  const message = await db.message.findUnique({ where: { id: messageId }, select: { payload: true, kind: true } });
  return message?.kind === 'reminder' ? (message.payload as unknown as ReminderPayload) : undefined;
}

/** The items still ahead and still on (a booking not cancelled, a shift not declined): what "2" may be about. */
export async function itemsStillOn(
  db: Db,
  beneficiaryId: number,
  items: ReminderItem[],
  now: Date,
): Promise<ReminderItem[]> {
  const bookingIds = items.flatMap((i) => (i.type === 'workshop' ? [i.bookingId] : []));
  const shiftIds = items.flatMap((i) => (i.type === 'shift' ? [i.shiftId] : []));
  const [bookings, shifts] = await Promise.all([
    db.booking.findMany({ where: { id: { in: bookingIds }, beneficiaryId, status: 'booked' }, select: { id: true } }),
    db.shift.findMany({
      where: { id: { in: shiftIds }, beneficiaryId, confirmation: { not: 'declined' } },
      select: { id: true },
    }),
  ]);
  const on = new Set([...bookings.map((b) => `w${b.id}`), ...shifts.map((s) => `s${s.id}`)]);
  return items.filter(
    (i) => new Date(i.startsAt) > now && on.has(i.type === 'workshop' ? `w${i.bookingId}` : `s${i.shiftId}`),
  );
}

/** "I'll be there": tomorrow's shifts are confirmed, the answer is on the timeline. */
export async function confirmReminder(
  db: Db,
  questionId: number,
  beneficiaryId: number,
  items: ReminderItem[],
  now: Date,
  actor: Actor,
): Promise<boolean> {
  if (!(await answerQuestion(db, questionId, 'yes', now))) return false;
  for (const item of items) if (item.type === 'shift') await confirmShift(db, beneficiaryId, item.shiftId, now, actor);
  await appendCaseEvent(db, {
    beneficiaryId,
    type: 'reminder_confirmed',
    actor,
    payload: { items: items.map(itemRef) },
  });
  return true;
}

/** "I can't come": the question is answered; the cancel or decline flow records what changes. */
export async function declineReminder(db: Db, questionId: number, now: Date): Promise<boolean> {
  return answerQuestion(db, questionId, 'no', now);
}

function itemRef(item: ReminderItem) {
  return item.type === 'workshop' ? { bookingId: item.bookingId } : { shiftId: item.shiftId };
}
