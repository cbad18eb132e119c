// A beneficiary's (or a not-yet-known person's) turn, for the turn router: recognised by the phone
// number of a consented case, their conversation synced (and what waited for them delivered), the
// keywords that work at any time ("menu"/0, "help", "language", "stop", "start", "delete",
// "forget"), the answers to the questions we sent them (an invitation, a check-in, a reminder),
// and the main menu.
import { ActivityTypes, type TurnContext } from 'botbuilder-core';
import { DialogTurnStatus } from './sdk';
import type { DialogContext } from 'botbuilder-dialogs';
import { translator, wordList } from '../bot/i18n/translator';
import {
  channelPhone,
  chatIdentity,
  doNotRecordTurn,
  setTurnListens,
  setTurnLocale,
  turnLocale,
  type UserProfile,
} from '../bot/turns/turnState';
import {
  changeLanguage,
  consentedCaseForPhone,
  forgetConversation,
  linkByPhone,
  optIn,
  rememberConversation,
  setVoiceMode,
} from '../bot/services/people';
import { openQuestion, type QuestionKind } from '../bot/services/questions';
import { pageLanguageChange } from '../bot/turns/middleware/locale';
import { say } from '../cards/messages';
import type { Answerer } from './answers/answerer';
import { UNCLEAR } from './answers/recordingAnswer';
import type { DialogDeps } from './deps';
import { ERASURE_DIALOG, MAIN_DIALOG, STOP_DIALOG, VOICE_CHOICE_PROMPT } from './ids';
import { askNextQuestion, putQuestionAgain } from './questionReplies';
import type { OwnCommand, TurnAudience, TurnStart } from './turnRouter';

/** The dialog that is asking right now: the innermost active one. */
function leafDialogId(dc: DialogContext): string | undefined {
  let inner = dc;
  while (inner.child) inner = inner.child;
  return inner.activeDialog?.id;
}

/** Tells the web chat page to forget the person on this device (public/app.js). */
export const FORGET_EVENT = 'passerelle/forget';

export interface MainOptions {
  greet?: boolean;
}

export class BeneficiaryTurns implements TurnAudience {
  private readonly answerers: Map<QuestionKind, Answerer>;

  constructor(
    private readonly deps: DialogDeps,
    answers: Answerer[],
  ) {
    this.answerers = new Map(answers.map((a) => [a.kind, a]));
  }

  /**
   * Whether the person writing is a known case (someone never seen, writing from a consented case's number, becomes
   * it).
   */
  async identify(context: TurnContext): Promise<boolean> {
    const profile = await this.deps.profile.get(context, {});
    if (profile.beneficiaryId !== undefined) return true;
    if (context.activity.type !== ActivityTypes.Message) return false;
    return (await this.recognizeByPhone(context, profile)) !== undefined;
  }

  async begin(dc: DialogContext): Promise<TurnStart> {
    const { context } = dc;
    const profile = await this.deps.profile.get(context, {});
    const known = profile.beneficiaryId !== undefined;
    if (known) await this.syncConversation(context, profile);
    // A language chosen on the web chat page goes on the case timeline, as one chosen here does.
    const pageChange = pageLanguageChange(context);
    if (known && pageChange) await changeLanguage(this.deps.db, profile.beneficiaryId!, pageChange.from, pageChange.to);
    const isMessage = context.activity.type === ActivityTypes.Message;
    const previous = known && isMessage ? await this.noteTurn(context) : undefined;
    return { previous, mayAnswer: known };
  }

  menu(dc: DialogContext, greet: boolean) {
    return dc.beginDialog(MAIN_DIALOG, { greet } satisfies MainOptions);
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
  private async noteTurn(context: TurnContext): Promise<Date | undefined> {
    const profile = await this.deps.profile.get(context, {});
    await this.deps.profile.set(context, { ...profile, lastTurnAt: this.deps.now().toISOString() });
    return profile.lastTurnAt ? new Date(profile.lastTurnAt) : undefined;
  }

  /** True when the message answered the latest question we sent the person (and was handled). */
  async answer(dc: DialogContext, previous: Date | undefined): Promise<boolean> {
    const { context } = dc;
    const beneficiaryId = (await this.deps.profile.get(context, {})).beneficiaryId!;
    const question = await openQuestion(this.deps.db, { beneficiaryId }, previous, this.deps.now());
    if (!question) return false;
    const locale = turnLocale(context);
    const text = context.activity.text ?? '';
    const answerer = this.answerers.get(question.kind);
    const options = answerer && (await answerer.recognize(question, text, locale, beneficiaryId));
    if (!answerer || !options) return false;
    if (options === UNCLEAR) {
      // It seemed to answer, with a negation around the positive option: nothing recorded, asked again.
      await dc.cancelAllDialogs();
      await context.sendActivity(say(locale, translator(locale)('prompt.notUnderstood')));
      await putQuestionAgain(this.deps, context, question);
      return true;
    }
    await dc.cancelAllDialogs();
    const result = await dc.beginDialog(answerer.dialog.id, options);
    if (
      result.status === DialogTurnStatus.complete &&
      !(await askNextQuestion(this.deps, context, { beneficiaryId }, previous))
    )
      await this.menu(dc, false);
    return true;
  }

  async command(dc: DialogContext, command: OwnCommand) {
    const { context } = dc;
    const profile = await this.deps.profile.get(context, {});
    const locale = turnLocale(context);
    const t = translator(locale);
    switch (command) {
      case 'stop':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId === undefined) {
          await this.forgetUnknown(context);
          await context.sendActivity(say(locale, t('stop.unknown')));
          return;
        }
        // One question first: a word may mean "stop" by chance (see dialogs/stopDialog.ts).
        await dc.beginDialog(STOP_DIALOG);
        return;
      case 'start':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId !== undefined) {
          await optIn(this.deps.db, profile.beneficiaryId);
          await context.sendActivity(say(locale, t('start.done')));
        }
        return this.menu(dc, false);
      case 'delete':
        await dc.cancelAllDialogs();
        if (profile.beneficiaryId === undefined) {
          await this.forgetUnknown(context);
          await context.sendActivity(say(locale, t('stop.unknown')));
          return this.menu(dc, false);
        }
        await dc.beginDialog(ERASURE_DIALOG);
        return;
      case 'listen':
      case 'read': {
        // At onboarding's own question (read or listen), the words are its answer.
        if (leafDialogId(dc) === VOICE_CHOICE_PROMPT) return dc.continueDialog();
        // Heard (or not) from this very answer on; the case keeps the choice (before consent, the
        // profile does: it goes on the case at consent).
        await this.deps.profile.set(context, { ...profile, voice: command });
        if (profile.beneficiaryId !== undefined) await setVoiceMode(this.deps.db, profile.beneficiaryId, command);
        setTurnListens(context, command === 'listen');
        await context.sendActivity(say(locale, t(command === 'listen' ? 'voice.nowListening' : 'voice.nowReading')));
        if (dc.activeDialog) await dc.repromptDialog();
        else await this.menu(dc, false);
        return;
      }
      case 'forget':
        // "Forget me on this device": the web chat page clears what it keeps and starts afresh
        // (FORGET_EVENT); the person's data stays, "delete" erases it.
        await dc.cancelAllDialogs();
        if (context.activity.channelId !== 'webchat') {
          await context.sendActivity(
            say(locale, t('forget.elsewhere', { word: wordList(locale, 'keywords.delete')[0] })),
          );
          return this.menu(dc, false);
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
}
