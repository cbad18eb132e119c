// The root of every conversation: the numbered menu, shown again when a task ends. A person we
// do not know yet sees it too (with a line saying "6 = language" in every language); when they
// pick a task, onboarding comes first (language if not chosen yet, consent, first name), then the
// task they picked.
// Keywords that work at any time ("menu"/0, "help", "language", "stop", "start", "delete",
// "forget") are handled here, before the active dialog sees the message.
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type Dialog,
  type DialogContext,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { ActivityTypes, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { translator, wordList } from '../bot/i18n';
import { LANGUAGE_CODES } from '../bot/languages';
import { channelGivesNoLanguage, channelPhone, chatIdentity, doNotRecordTurn, setTurnLocale, turnLocale, type UserProfile } from '../bot/turn';
import { changeLanguage, consentedCaseForPhone, forgetConversation, linkByPhone, optIn, optOut, rememberConversation } from '../bot/services/people';
import { pageLanguageChange } from '../bot/middleware/locale';
import { say } from '../cards/messages';
import { beneficiaryIdOf, type DialogDeps } from './deps';
import {
  AGENDA_DIALOG,
  CIP_MESSAGE_DIALOG,
  ERASURE_DIALOG,
  LANGUAGE_DIALOG,
  MAIN_DIALOG,
  ONBOARDING_DIALOG,
  PROBLEM_DIALOG,
  SHIFTS_DIALOG,
  WAY_OUT_DIALOG,
  WORKSHOPS_DIALOG,
} from './ids';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { globalCommand } from './recognizers/keywords';
import { askedAgain, openQuestion, type QuestionKind } from '../bot/services/questions';
import type { NotificationPayload } from '../bot/services/notifications';
import { renderNotification } from '../cards/notifications';
import type { Answerer } from './answers/answerer';
import { isWayOut } from './results';
import { UNCLEAR } from './answers/recordingAnswer';

/** Tells the web chat page to forget the person on this device (public/app.js). */
export const FORGET_EVENT = 'passerelle/forget';

const STEPS = 'mainSteps';
const PROMPT = 'menuPrompt';

/** "Language" in every language, for the first greeting: a person who cannot read French finds the way. */
const LANGUAGE_LINE = `🌐 6 = ${LANGUAGE_CODES.map((c) => translator(c)('menu.language')).join(' · ')}`;

/** The menu, in its fixed order: the number a person answers is the position here. */
export const MENU = ['workshops', 'shifts', 'problem', 'agenda', 'cip', 'language'] as const;
export type MenuEntry = (typeof MENU)[number];

const TASKS: Record<MenuEntry, string> = {
  workshops: WORKSHOPS_DIALOG,
  shifts: SHIFTS_DIALOG,
  problem: PROBLEM_DIALOG,
  agenda: AGENDA_DIALOG,
  cip: CIP_MESSAGE_DIALOG,
  language: LANGUAGE_DIALOG,
};

const menuQuestion = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('menu.question'),
    options: MENU.map((entry) => ({ value: entry, label: t(`menu.${entry}`) })),
    hints: [t('prompt.hint')],
  };
});

interface MainOptions {
  greet?: boolean;
}

/** What onboarding ends with: the new case, or nothing when the person said no. */
export interface OnboardingResult {
  beneficiaryId?: number;
}

/** The dialogs the menu opens, and those the root opens by itself. */
export interface MainParts {
  onboarding: Dialog;
  language: () => Dialog;
  workshops: Dialog;
  shifts: Dialog;
  problem: Dialog;
  agenda: Dialog;
  cipMessage: () => Dialog;
  erasure: Dialog;
  wayOut: () => Dialog;
  /** the answers to the questions we send (an invitation, a check-in...) */
  answers: Answerer[];
  /** employer contacts' turns (dialogs/contacts): their dialogs join the root set */
  contacts: { dialogs: Dialog[]; run(dc: DialogContext, profile: UserProfile): Promise<boolean> };
}

export class MainDialog extends ComponentDialog {
  private readonly root: DialogSet;
  private readonly answerers: Map<QuestionKind, Answerer>;
  private readonly contacts: MainParts['contacts'];

  constructor(
    private readonly deps: DialogDeps,
    dialogState: StatePropertyAccessor<DialogState>,
    parts: MainParts,
  ) {
    super(MAIN_DIALOG);
    this.addDialog(new NumberedChoicePrompt(PROMPT, menuQuestion));
    for (const d of [parts.onboarding, parts.language(), parts.workshops, parts.shifts, parts.problem, parts.agenda, parts.cipMessage(), parts.wayOut()]) {
      this.addDialog(d);
    }
    this.addDialog(
      new WaterfallDialog(STEPS, [(s) => this.showMenu(s), (s) => this.onboardFirst(s), (s) => this.route(s), (s) => this.afterTask(s), (s) => s.endDialog()]),
    );
    this.initialDialogId = STEPS;

    // The root set: the menu, and what keywords open from anywhere.
    this.root = new DialogSet(dialogState);
    for (const d of [this, parts.language(), parts.erasure, ...parts.answers.map((a) => a.dialog), ...parts.contacts.dialogs]) this.root.add(d);
    this.answerers = new Map(parts.answers.map((a) => [a.kind, a]));
    this.contacts = parts.contacts;
  }

  /** Runs one turn of the conversation. */
  async run(context: TurnContext): Promise<void> {
    const isMessage = context.activity.type === ActivityTypes.Message;
    let profile = await this.deps.profile.get(context, {});
    if (profile.beneficiaryId === undefined && isMessage) profile = (await this.recognizeByPhone(context, profile)) ?? profile;
    const known = profile.beneficiaryId !== undefined;
    const dc = await this.root.createContext(context);
    // An employer contact (known by their phone number) gets their own menu, never a beneficiary's.
    if (!known && (await this.contacts.run(dc, profile))) return;
    if (known) await this.syncConversation(context, profile);
    // A language chosen on the web chat page goes on the case timeline, as one chosen here does.
    const pageChange = pageLanguageChange(context);
    if (known && pageChange) await changeLanguage(this.deps.db, profile.beneficiaryId!, pageChange.from, pageChange.to);

    const command = isMessage ? globalCommand(context.activity.text) : undefined;
    const since = known && isMessage ? await this.noteTurn(context) : undefined;
    if (command) return this.runCommand(dc, command, profile);

    // An answer to a question we sent meanwhile (an invitation...): it goes to that question.
    if (since !== undefined && (await this.answerOpenQuestion(dc, profile.beneficiaryId!, since.previous))) return;

    const result = isMessage ? await dc.continueDialog() : { status: dc.activeDialog ? DialogTurnStatus.waiting : DialogTurnStatus.empty };
    if (result.status === DialogTurnStatus.empty) {
      await this.start(dc, true);
    } else if (result.status === DialogTurnStatus.complete) {
      // A task ended (or onboarding did): back to the menu.
      await this.start(dc, false);
    }
  }

  /**
   * Someone who never chatted with us, writing from the phone number of a case that consented
   * (we may have invited them by that number): their chat is that case, in its language.
   */
  private async recognizeByPhone(context: TurnContext, profile: UserProfile): Promise<UserProfile | undefined> {
    const known = await consentedCaseForPhone(this.deps.db, channelPhone(context));
    if (!known) return undefined;
    await linkByPhone(this.deps.db, chatIdentity(context), known.id, this.deps.now());
    // (conversationId left unset: syncConversation delivers what waited for them.)
    const linked: UserProfile = { ...profile, beneficiaryId: known.id, language: known.language };
    await this.deps.profile.set(context, linked);
    setTurnLocale(context, known.language);
    return linked;
  }

  /** Remembers when the person wrote; returns when they wrote before (questions sent after it are theirs to answer). */
  private async noteTurn(context: TurnContext): Promise<{ previous?: Date }> {
    const profile = await this.deps.profile.get(context, {});
    await this.deps.profile.set(context, { ...profile, lastTurnAt: this.deps.now().toISOString() });
    return { previous: profile.lastTurnAt ? new Date(profile.lastTurnAt) : undefined };
  }

  /** True when the message answered the latest question we sent the person (and was handled). */
  private async answerOpenQuestion(dc: DialogContext, beneficiaryId: number, previous: Date | undefined): Promise<boolean> {
    const question = await openQuestion(this.deps.db, { beneficiaryId }, previous, this.deps.now());
    if (!question) return false;
    const { context } = dc;
    const locale = turnLocale(context);
    const text = context.activity.text ?? '';
    const answerer = this.answerers.get(question.kind);
    const options = answerer && (await answerer.recognize(question, text, locale, beneficiaryId));
    if (!answerer || !options) return false;
    if (options === UNCLEAR) {
      // It seemed to answer, with a negation around the positive option: nothing recorded, asked again.
      await dc.cancelAllDialogs();
      await context.sendActivity(say(locale, translator(locale)('prompt.notUnderstood')));
      await this.putAgain(context, question);
      return true;
    }
    await dc.cancelAllDialogs();
    const result = await dc.beginDialog(answerer.dialog.id, options);
    if (result.status === DialogTurnStatus.complete && !(await this.askAgain(context, beneficiaryId, previous))) await this.start(dc, false);
    return true;
  }

  private async putAgain(context: TurnContext, question: { id: number; messageId: number }) {
    const message = await this.deps.db.message.findUnique({ where: { id: question.messageId }, select: { payload: true } });
    if (message) await context.sendActivity(renderNotification(message.payload as unknown as NotificationPayload, turnLocale(context), this.deps.timeZone));
    await askedAgain(this.deps.db, question.id, this.deps.now());
  }

  /**
   * Another question we sent since the person last wrote (a check-in and a reminder the same
   * evening) is put to them again, instead of the menu: their next message answers it.
   */
  private async askAgain(context: TurnContext, beneficiaryId: number, previous: Date | undefined): Promise<boolean> {
    const next = await openQuestion(this.deps.db, { beneficiaryId }, previous, this.deps.now());
    const message = next && (await this.deps.db.message.findUnique({ where: { id: next.messageId }, select: { payload: true } }));
    if (!next || !message) return false;
    await context.sendActivity(renderNotification(message.payload as unknown as NotificationPayload, turnLocale(context), this.deps.timeZone));
    await askedAgain(this.deps.db, next.id, this.deps.now());
    return true;
  }

  private async start(dc: DialogContext, greet: boolean) {
    await dc.beginDialog(MAIN_DIALOG, { greet } satisfies MainOptions);
  }

  private async runCommand(dc: DialogContext, command: NonNullable<ReturnType<typeof globalCommand>>, profile: UserProfile) {
    const { context } = dc;
    const locale = turnLocale(context);
    const t = translator(locale);
    switch (command) {
      case 'menu':
        await dc.cancelAllDialogs();
        return this.start(dc, false);
      case 'language':
        await dc.cancelAllDialogs();
        await dc.beginDialog(LANGUAGE_DIALOG);
        return;
      case 'help':
        await context.sendActivity(say(locale, t('help.numbers'), t('help.keywords'), t('help.stop', { word: wordList(locale, 'keywords.stop')[0] })));
        if (dc.activeDialog) await dc.repromptDialog();
        else await this.start(dc, false);
        return;
      case 'stop':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId === undefined) {
          await this.forgetUnknown(context);
          await context.sendActivity(say(locale, t('stop.unknown')));
          return;
        }
        await optOut(this.deps.db, profile.beneficiaryId, this.deps.now());
        await context.sendActivity(say(locale, t('stop.done'), t('stop.howToStart')));
        return;
      case 'start':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId !== undefined) {
          await optIn(this.deps.db, profile.beneficiaryId);
          await context.sendActivity(say(locale, t('start.done')));
        }
        return this.start(dc, false);
      case 'delete':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId === undefined) {
          await this.forgetUnknown(context);
          await context.sendActivity(say(locale, t('stop.unknown')));
          return this.start(dc, false);
        }
        await dc.beginDialog(ERASURE_DIALOG);
        return;
      case 'forget':
        // "Forget me on this device": the web chat page clears what it keeps and starts afresh
        // (FORGET_EVENT); the person's data stays, "delete" erases it.
        await dc.cancelAllDialogs();
        if (context.activity.channelId !== 'webchat') {
          await context.sendActivity(say(locale, t('forget.elsewhere', { word: wordList(locale, 'keywords.delete')[0] })));
          return this.start(dc, false);
        }
        await context.sendActivity(say(locale, t('forget.done')));
        await context.sendActivity({ type: ActivityTypes.Event, name: FORGET_EVENT });
        return;
    }
  }

  /** "Stop" or "delete" from a person we do not know: what we recorded of them goes, this turn too. */
  private async forgetUnknown(context: TurnContext) {
    await forgetConversation(this.deps.db, context.activity.channelId, context.activity.conversation.id);
    doNotRecordTurn(context);
  }

  /**
   * A known person in a new conversation: remember where to reach them, and hand them the
   * notifications that waited for them (e.g. a seat that freed up).
   */
  private async syncConversation(context: TurnContext, profile: UserProfile) {
    const { activity } = context;
    if (profile.conversationId === activity.conversation.id) return;
    const beneficiaryId = profile.beneficiaryId!;
    await rememberConversation(this.deps.db, chatIdentity(context), { beneficiaryId }, this.deps.now());
    await this.deps.profile.set(context, { ...profile, conversationId: activity.conversation.id });
    await this.deps.notify(beneficiaryId, { personIsHere: true });
  }

  private async showMenu(step: WaterfallStepContext) {
    if ((step.options as MainOptions | undefined)?.greet) {
      const locale = turnLocale(step.context);
      const profile = await this.deps.profile.get(step.context, {});
      const unknown = profile.beneficiaryId === undefined && !profile.language;
      // A channel that says nothing of the person's language (WhatsApp): first contact begins with
      // the language, then consent; the menu comes after, in their language.
      if (unknown && channelGivesNoLanguage(step.context)) {
        await step.context.sendActivity(say(locale, translator(locale)('greeting')));
        (step.values as { firstContact?: boolean }).firstContact = true;
        return step.beginDialog(ONBOARDING_DIALOG);
      }
      const lines = [translator(locale)('greeting')];
      if (unknown) lines.push(LANGUAGE_LINE);
      await step.context.sendActivity(say(locale, ...lines));
    }
    return step.beginDialog(PROMPT);
  }

  /** A task needs a case: someone we do not know yet goes through onboarding first. */
  private async onboardFirst(step: WaterfallStepContext) {
    // First contact went through onboarding already: now the menu.
    if ((step.values as { firstContact?: boolean }).firstContact) return step.replaceDialog(STEPS, { greet: false } satisfies MainOptions);
    const choice = step.result as ChoiceResult;
    (step.values as { choice?: ChoiceResult }).choice = choice;
    if (choice.index < 0 || choice.value === 'language') return step.next(choice);
    if ((await beneficiaryIdOf(this.deps, step.context)) !== undefined) return step.next(choice);
    return step.beginDialog(ONBOARDING_DIALOG);
  }

  private async route(step: WaterfallStepContext) {
    const choice = (step.values as { choice: ChoiceResult }).choice;
    if (choice.index < 0) return step.replaceDialog(WAY_OUT_DIALOG);
    // Onboarding that ended without a case (the person said no): back to the menu.
    if (step.result !== choice && !(step.result as OnboardingResult | undefined)?.beneficiaryId) return step.endDialog();
    return step.beginDialog(TASKS[choice.value as MenuEntry]);
  }

  private async afterTask(step: WaterfallStepContext) {
    if (isWayOut(step.result)) return step.beginDialog(WAY_OUT_DIALOG);
    return step.next();
  }
}
