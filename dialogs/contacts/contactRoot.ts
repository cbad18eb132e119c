// The conversation of an employer contact, recognised by the phone number their channel gives
// (WhatsApp): their own short menu, in their language (Contact.language), never a beneficiary's
// onboarding or tasks. "menu", "help", "language", "stop" and "start" work for them too ("stop"
// and "start" on the Contact). A message that answers an attendance request we sent goes on the
// shift; another open request is then asked again at once, so the next answer is for it.
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { DialogTurnStatus, type Dialog, type DialogContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../../bot/i18n';
import { channelPhone, chatIdentity, setTurnLocale, turnLocale, type UserProfile } from '../../bot/turn';
import { answerAttendance } from '../../bot/services/attendance';
import { contactById, contactByPhone, optInContact, optOutContact, rememberContact, type ContactView } from '../../bot/services/contacts';
import type { NotificationPayload } from '../../bot/services/notifications';
import { toE164 } from '../../bot/services/people';
import { askedAgain, openQuestion } from '../../bot/services/questions';
import { recognizeAttendance } from '../../cards/attendance';
import { UNCLEAR } from '../answers/recordingAnswer';
import { say } from '../../cards/messages';
import { renderNotification } from '../../cards/notifications';
import type { DialogDeps } from '../deps';
import { CONTACT_MENU_DIALOG, LANGUAGE_DIALOG } from '../ids';
import { globalCommand, type GlobalCommand } from '../recognizers/keywords';
import { ContactMenuDialog, type ContactMenuOptions } from './contactMenuDialog';
import { setTurnContact } from './current';

export class ContactRoot {
  /** for the root dialog set */
  readonly dialogs: Dialog[];

  constructor(private readonly deps: DialogDeps) {
    this.dialogs = [new ContactMenuDialog(deps)];
  }

  /** Runs the turn if it is an employer contact's; false when it is not (the beneficiaries' root takes it). */
  async run(dc: DialogContext, profile: UserProfile): Promise<boolean> {
    const { context } = dc;
    const contact = await this.recognize(context, profile);
    if (!contact) {
      if (profile.contactId !== undefined) {
        // No longer a contact (deactivated, or the number went to another): like anyone from now on.
        const { contactId: _gone, ...rest } = profile;
        await this.deps.profile.set(context, rest);
        await dc.cancelAllDialogs();
      }
      return false;
    }
    setTurnContact(context, contact);
    setTurnLocale(context, contact.language);
    const now = this.deps.now();
    const isMessage = context.activity.type === ActivityTypes.Message;
    const first = profile.contactId !== contact.id;
    if (first || profile.conversationId !== context.activity.conversation.id) await rememberContact(this.deps.db, chatIdentity(context), contact.id, now);
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

    const command = isMessage ? globalCommand(context.activity.text) : undefined;
    if (command) {
      await this.command(dc, command, contact);
      return true;
    }
    if (isMessage && (await this.answer(dc, contact, previous))) return true;
    const result = isMessage ? await dc.continueDialog() : { status: dc.activeDialog ? DialogTurnStatus.waiting : DialogTurnStatus.empty };
    if (result.status === DialogTurnStatus.empty) await this.menu(dc, true);
    else if (result.status === DialogTurnStatus.complete) await this.menu(dc, false);
    return true;
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

  private menu(dc: DialogContext, greet: boolean) {
    return dc.beginDialog(CONTACT_MENU_DIALOG, { greet } satisfies ContactMenuOptions);
  }

  private async command(dc: DialogContext, command: GlobalCommand, contact: ContactView) {
    const { context } = dc;
    const locale = turnLocale(context);
    const t = translator(locale);
    const stopLine = t('help.stop', { word: wordList(locale, 'keywords.stop')[0] });
    switch (command) {
      case 'menu':
        await dc.cancelAllDialogs();
        return this.menu(dc, false);
      case 'language':
        await dc.cancelAllDialogs();
        return dc.beginDialog(LANGUAGE_DIALOG);
      case 'help':
        await context.sendActivity(say(locale, t('help.numbers'), t('help.keywords'), stopLine));
        if (dc.activeDialog) return dc.repromptDialog();
        return this.menu(dc, false);
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
        await context.sendActivity(say(locale, t('contacts.delete'), stopLine));
        return;
    }
  }

  /** True when the message answered the attendance request last sent to the contact (and was handled). */
  private async answer(dc: DialogContext, contact: ContactView, previous: Date | undefined): Promise<boolean> {
    const { context } = dc;
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
      await this.putAgain(context, question);
      return true;
    }
    const outcome = await answerAttendance(this.deps.db, contact, question, answer, this.deps.now());
    await dc.cancelAllDialogs();
    if (outcome.status === 'recorded') {
      const lines = [t(`attendance.noted.${outcome.attendance}`, { name: outcome.name }), ...(outcome.attendance === 'absent' ? [t('attendance.alerted')] : [])];
      await context.sendActivity(say(locale, ...lines));
    } else {
      await context.sendActivity(say(locale, t(outcome.status === 'closed' ? 'contacts.closed' : 'attendance.already')));
    }
    if (!(await this.askAgain(context, contact, previous))) await this.menu(dc, false);
    return true;
  }

  private async putAgain(context: TurnContext, question: { id: number; messageId: number }) {
    const message = await this.deps.db.message.findUnique({ where: { id: question.messageId }, select: { payload: true } });
    if (message) await context.sendActivity(renderNotification(message.payload as unknown as NotificationPayload, turnLocale(context), this.deps.timeZone));
    await askedAgain(this.deps.db, question.id, this.deps.now());
  }

  /** Another request sent since the contact last wrote (two people at one SIAE) is put to them again. */
  private async askAgain(context: TurnContext, contact: ContactView, previous: Date | undefined): Promise<boolean> {
    const next = await openQuestion(this.deps.db, { contactId: contact.id }, previous, this.deps.now());
    const message = next && (await this.deps.db.message.findUnique({ where: { id: next.messageId }, select: { payload: true } }));
    if (!next || !message) return false;
    await context.sendActivity(renderNotification(message.payload as unknown as NotificationPayload, turnLocale(context), this.deps.timeZone));
    await askedAgain(this.deps.db, next.id, this.deps.now());
    return true;
  }
}
