// The proactive messages of this area, in the person's language (see cards/notifications): the
// attendance request an employer contact gets after a shift, "Did Amina come today, 9 h – 12 h?
// 1 Yes / 2 No / 3 Late", a numbered question like any other, answered by a number, yes/no words
// of any language, "late", a tap or a voice note.
import { translator, wordList } from '../bot/i18n/translator';
import type { LanguageCode } from '../bot/i18n/languages';
import type { AttendancePayload } from '../bot/services/attendance';
import { formatDay, formatTimeRange } from './format';
import { ask } from './messages';
import { yesNoOptions, type Question } from './questions';
import type { NotificationRenderer } from './notificationRenderer';

/** "Did {name} come today, {time}?" with its three answers (values present, absent, late). */
export function attendanceQuestion(
  locale: LanguageCode,
  timeZone: string,
  p?: Pick<AttendancePayload, 'beneficiary' | 'shift' | 'today'>,
): Question {
  const t = translator(locale);
  const lines: string[] = [];
  if (p) {
    const start = new Date(p.shift.startsAt);
    const time = formatTimeRange(start, new Date(p.shift.endsAt), locale, timeZone);
    const name = p.beneficiary.firstName;
    lines.push(
      p.today
        ? t('attendance.request', { name, time })
        : t('attendance.requestDay', { name, time, day: formatDay(start, locale, timeZone) }),
    );
  }
  // Yes and no (read as the yes/no questions read them: dialogs/recognizers/attendance), and "late".
  const yesNo = yesNoOptions(locale, lines, { yes: t('attendance.present'), no: t('attendance.absent') }, [
    'present',
    'absent',
  ]);
  const late = [...new Set([locale, 'fr', 'en'] as LanguageCode[])].flatMap((l) =>
    wordList(l, 'attendance.synonyms.late'),
  );
  return { ...yesNo, options: [...yesNo.options, { value: 'late', label: t('attendance.late'), synonyms: late }] };
}

export const renderAttendance: NotificationRenderer = (payload, locale, timeZone) => {
  if (payload.key !== 'attendance.request') return undefined;
  const q = attendanceQuestion(locale, timeZone, payload as AttendancePayload);
  return ask(locale, q.question, q.options, q.hints);
};
