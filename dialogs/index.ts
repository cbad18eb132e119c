// Builds the dialogs of a conversation and wires them into its root (the turn) and the main menu.
import type { StatePropertyAccessor } from 'botbuilder-core';
import type { DialogState } from 'botbuilder-dialogs';
import { changeLanguage } from '../bot/services/people';
import { AgendaDialog } from './agendaDialog';
import { CipMessageDialog } from './cipMessageDialog';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import { erasureDialog } from './erasureDialog';
import { stopDialog } from './stopDialog';
import { LanguageDialog, type LanguageChangeListener } from './languageDialog';
import { MainDialog } from './mainDialog';
import { ConversationRoot } from './conversationRoot';
import { OnboardingDialog } from './onboardingDialog';
import { ProblemDialog } from './problemDialog';
import { ShiftsDialog } from './shiftsDialog';
import { WayOutDialog } from './wayOutDialog';
import { WorkshopsDialog } from './workshopsDialog';
import { invitationAnswerer } from './answers/invitationDialog';
import { checkInAnswerer } from './answers/checkInDialog';
import { reminderAnswerer } from './answers/reminderDialog';
import { ContactRoot } from './contacts/contactRoot';
import { setContactLanguage } from '../bot/services/contacts';

export type { DialogDeps } from './deps';

export function createConversationRoot(
  deps: DialogDeps,
  dialogState: StatePropertyAccessor<DialogState>,
): ConversationRoot {
  // A known person's change of language goes on their case timeline.
  const onLanguageChange: LanguageChangeListener = async (step, { from, to }) => {
    const id = await beneficiaryIdOf(deps, step.context);
    if (id !== undefined) await changeLanguage(deps.db, id, from, to);
    // An employer contact's language is on their Contact (the CIP sees it there).
    const { contactId } = await deps.profile.get(step.context, {});
    if (id === undefined && contactId !== undefined) await setContactLanguage(deps.db, contactId, to);
  };
  const main = new MainDialog(deps, {
    onboarding: new OnboardingDialog(deps),
    language: () => new LanguageDialog(deps.profile, onLanguageChange),
    workshops: new WorkshopsDialog(deps),
    shifts: new ShiftsDialog(deps),
    problem: new ProblemDialog(deps),
    agenda: new AgendaDialog(deps),
    cipMessage: () => new CipMessageDialog(deps),
    wayOut: () => new WayOutDialog(new CipMessageDialog(deps)),
  });
  return new ConversationRoot(deps, dialogState, {
    main,
    language: new LanguageDialog(deps.profile, onLanguageChange),
    erasure: erasureDialog(deps),
    stop: stopDialog(deps),
    answers: [invitationAnswerer(deps), checkInAnswerer(deps), reminderAnswerer(deps)],
    contacts: new ContactRoot(deps),
  });
}
