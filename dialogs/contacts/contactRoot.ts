// The conversation of an employer contact, recognised by the phone number their channel gives
// (WhatsApp): their own short menu, in their language (Contact.language), never a beneficiary's
// onboarding or tasks. "menu", "help", "language", "stop" and "start" work for them too ("stop"
// and "start" on the Contact). A message that answers an attendance request we sent goes on the
// shift; another open request is then asked again at once, so the next answer is for it.
import { ActivityTypes, type TurnContext } from 'botbuilder-core';
import type { Dialog, DialogContext } from 'botbuilder-dialogs';
import { translator } from '../../bot/i18n/translator';
import { channelPhone, chatIdentity, setTurnLocale, turnLocale, type UserProfile } from '../../bot/turns/turnState';
import { answerAttendance } from '../../bot/services/attendance';
import {
  contactById,
  contactByPhone,
  optInContact,
  optOutContact,
  rememberContact,
  type ContactView,
} from '../../bot/services/contacts';
import { toE164 } from '../../bot/services/people';
import { openQuestion } from '../../bot/services/questions';
import { recognizeAttendance } from '../recognizers/attendance';
import { UNCLEAR } from '../answers/recordingAnswer';
import { say } from '../../cards/messages';
import type { DialogDeps } from '../deps';
import { CONTACT_MENU_DIALOG } from '../ids';
import { askNextQuestion, putQuestionAgain } from '../questionReplies';
import { stopLine, type OwnCommand, type TurnAudience, type TurnStart } from '../turnRouter';
import { ContactMenuDialog, type ContactMenuOptions } from './contactMenuDialog';
import { setTurnContact, turnContact } from './current';

export class ContactRoot implements TurnAudience {
  /** for the root dialog set */
  readonly dialogs: Dialog[];

  constructor(private readonly deps: DialogDeps) {
    this.dialogs = [new ContactMenuDialog(deps)];
  }

  /**
   * An employer contact's turn: recognised, their chat remembered; undefined when it is not one (the beneficiaries'
   * turn).
   */
  async begin(dc: DialogContext): Promise<TurnStart | undefined> {
    const { context } = dc;
    const profile = await this.deps.profile.get(context, {});
    const contact = await this.recognize(context, profile);
    if (!contact) {
      if (profile.contactId !== undefined) {
        // No longer a contact (deactivated, or the number went to another): like anyone from now on.
        const { contactId: _gone, ...rest } = profile;
        await this.deps.profile.set(context, rest);
        await dc.cancelAllDialogs();
      }
      return undefined;
    }
    setTurnContact(context, contact);
    setTurnLocale(context, contact.language);
    const now = this.deps.now();
    const isMessage = context.activity.type === ActivityTypes.Message;
    const first = profile.contactId !== contact.id;
    if (first || profile.conversationId !== context.activity.conversation.id)
      await rememberContact(this.deps.db, chatIdentity(context), contact.id, now);
    // Whatever they began before we knew them (the languages of a first contact...) is dropped.
    if (first) await dc.cancelAllDialogs();
    const previous = profile.lastTurnAt ? new Date(profile.lastTurnAt) : undefined;
    await this.deps.profile.set(context, {
      ...profile,
      contactId: contact.id,
      language: contact.language,
      conversationId: context.activity.conversation.id,
      ...(isMessage && { lastTurnAt: now.toISOString() }),
    });
    return { previous, mayAnswer: true };
  }

  /** The active contact whose phone number the channel gives (or known from an earlier turn of the same chat). */
  private async recognize(context: TurnContext, profile: UserProfile): Promise<ContactView | undefined> {
    // A beneficiary stays one (a contact's number is not a case's).
    if (profile.beneficiaryId !== undefined) return undefined;
    const phone = toE164(channelPhone(context));
    if (profile.contactId !== undefined) {
      const known = await contactById(this.deps.db, profile.contactId);
      if (known && (!phone || known.phone === phone)) return known;
    }
    return phone ? contactByPhone(this.deps.db, phone) : undefined;
  }

  menu(dc: DialogContext, greet: boolean) {
    return dc.beginDialog(CONTACT_MENU_DIALOG, { greet } satisfies ContactMenuOptions);
  }

  async command(dc: DialogContext, command: OwnCommand) {
    const { context } = dc;
    const contact = turnContact(context);
    const locale = turnLocale(context);
    const t = translator(locale);
    switch (command) {
      case 'stop':
        await dc.cancelAllDialogs();
        await optOutContact(this.deps.db, contact.id, this.deps.now());
        await context.sendActivity(say(locale, t('stop.done'), t('stop.howToStart')));
        return;
      case 'start':
        await dc.cancelAllDialogs();
        await optInContact(this.deps.db, contact.id);
        await context.sendActivity(say(locale, t('start.done')));
        return this.menu(dc, false);
      case 'delete':
        // A contact's details are the structure's, kept by the platform's staff.
        await dc.cancelAllDialogs();
        await context.sendActivity(say(locale, t('contacts.delete'), stopLine(locale)));
        return;
      default:
        // "listen", "read": spoken replies are for beneficiaries; a contact gets their menu.
        return this.menu(dc, false);
    }
  }

  /** True when the message answered the attendance request last sent to the contact (and was handled). */
  async answer(dc: DialogContext, previous: Date | undefined): Promise<boolean> {
    const { context } = dc;
    const contact = turnContact(context);
    const question = await openQuestion(this.deps.db, { contactId: contact.id }, previous, this.deps.now());
    if (question?.kind !== 'attendance') return false;
    const locale = turnLocale(context);
    const answer = recognizeAttendance(context.activity.text ?? '', locale);
    if (!answer) return false;
    const t = translator(locale);
    if (answer === UNCLEAR) {
      // Nothing recorded: the request again, to be answered by a number.
      await dc.cancelAllDialogs();
      await context.sendActivity(say(locale, t('prompt.notUnderstood')));
      await putQuestionAgain(this.deps, context, question);
      return true;
    }
    const outcome = await answerAttendance(this.deps.db, contact, question, answer, this.deps.now());
    await dc.cancelAllDialogs();
    if (outcome.status === 'recorded') {
      const lines = [
        t(`attendance.noted.${outcome.attendance}`, { name: outcome.name }),
        ...(outcome.attendance === 'absent' ? [t('attendance.alerted')] : []),
      ];
      await context.sendActivity(say(locale, ...lines));
    } else {
      await context.sendActivity(
        say(locale, t(outcome.status === 'closed' ? 'contacts.closed' : 'attendance.already')),
      );
    }
    if (!(await askNextQuestion(this.deps, context, { contactId: contact.id }, previous))) await this.menu(dc, false);
    return true;
  }
}
