// An employer contact's answer to an attendance request ("Did Amina come today? 1 Yes / 2 No /
// 3 Late"): by its number, yes/no words of any language (read as yes/no questions are), "late".
import type { LanguageCode } from '../../bot/i18n/languages';
import type { AttendanceAnswer } from '../../bot/services/attendance';
import { attendanceQuestion } from '../../cards/attendance';
import { readRecordingAnswer, type Unclear } from '../answers/recordingAnswer';
import { readAsYesNo } from '../prompts/yesNoQuestion';

/**
 * The answer a message gives to an attendance request, if it is one; UNCLEAR when a negation is
 * around "present" or "late" ("he did not come late"): asked again, nothing recorded.
 */
export function recognizeAttendance(text: string, locale: LanguageCode): AttendanceAnswer | Unclear | undefined {
  return readRecordingAnswer(text, readAsYesNo(attendanceQuestion(locale, 'UTC'), ['present', 'absent']), locale, [
    'absent',
  ]) as AttendanceAnswer | Unclear | undefined;
}
