// Dialog ids, shared so that dialogs can start each other without importing each other.
export const MAIN_DIALOG = 'main';
export const LANGUAGE_DIALOG = 'language';
export const ONBOARDING_DIALOG = 'onboarding';
export const WORKSHOPS_DIALOG = 'workshops';
export const SHIFTS_DIALOG = 'shifts';
export const PROBLEM_DIALOG = 'problem';
export const AGENDA_DIALOG = 'agenda';
export const CIP_MESSAGE_DIALOG = 'cipMessage';
export const ERASURE_DIALOG = 'erasure';
export const STOP_DIALOG = 'stop';
export const WAY_OUT_DIALOG = 'wayOut';
export const INVITATION_DIALOG = 'invitation';
export const CHECKIN_DIALOG = 'checkIn';
export const REMINDER_DIALOG = 'reminder';
export const CONTACT_MENU_DIALOG = 'contactMenu';
/** onboarding's read-or-listen question: the turn router lets "écouter"/"lire" reach it */
export const VOICE_CHOICE_PROMPT = 'onboardingVoicePrompt';

/** "Steps Name NameLoop" -> "Steps" | "Name" | "NameLoop" */
type Words<S extends string> = S extends `${infer Head} ${infer Tail}` ? Head | Words<Tail> : S;

/**
 * A dialog's inner ids, each its name after the dialog's ('onboarding', 'NameLoop' -> 'onboardingNameLoop'):
 * saved conversations hold them, so a name never changes once it has shipped.
 */
export function innerIds<S extends string>(dialog: string, names: S): Record<Words<S>, string> {
  return Object.fromEntries(names.split(' ').map((name) => [name, `${dialog}${name}`])) as Record<Words<S>, string>;
}
