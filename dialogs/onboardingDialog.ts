// First contact with a person we do not know: their language (if they never chose one; a language
// the channel gave, e.g. the web chat page's ?lang=ar, or one guessed from their first message, is
// only confirmed: "العربية؟ 1 yes / 2 another language"; several guesses, e.g. for "سلام", are
// a short list: "1 العربية 2 دری 3 پښتو 4 another language"), whether they prefer to read or to
// listen (that question is heard too: someone who cannot read must be able to answer it; a voice
// note answers "listen"), consent (what we keep, who sees it, how to stop and to ask for
// deletion), then their case: the CIP's
// case for the phone number the channel gives, or a new pending case with their first name.
// Ends with { beneficiaryId }, or with {} when they said no or were not understood three times
// (the main dialog then shows the menu again).
import { ComponentDialog } from './sdk';
import type { WaterfallStepContext } from 'botbuilder-dialogs';
import type { TurnContext } from 'botbuilder-core';
import { translator, wordList } from '../bot/i18n/translator';
import { isLanguageCode, language as languageInfo, type LanguageCode } from '../bot/i18n/languages';
import { offeredLanguages } from '../bot/turns/middleware/locale';
import {
  channelPhone,
  channelProfileName,
  chatIdentity,
  doNotRecordTurn,
  setTurnListens,
  setTurnLocale,
  turnLocale,
  wordlessContent,
} from '../bot/turns/turnState';
import { caseForPhone, firstNameFrom, forgetConversation, giveConsent } from '../bot/services/people';
import { say } from '../cards/messages';
import type { DialogDeps } from './deps';
import { innerIds, ONBOARDING_DIALOG, LANGUAGE_DIALOG, VOICE_CHOICE_PROMPT } from './ids';
import { LanguageDialog } from './languageDialog';
import type { OnboardingResult } from './mainDialog';
import { NumberedChoicePrompt, perLanguage, type ChoiceResult } from './prompts/numberedChoicePrompt';
import { TextPrompt, isNoAnswer, type TextAnswer } from './prompts/textPrompt';
import { yesNoQuestion } from './prompts/yesNoQuestion';
import { readYesNo } from './recognizers/yesNo';
import { recognizeChoice } from './recognizers/choice';
import { globalCommand } from './recognizers/keywords';
import { waterfall } from './waterfall';

// Inner dialog ids (saved conversations hold them: they never change).
const ID = innerIds(
  'onboarding',
  'Steps Name NameLoop ConsentPrompt ConfirmNamePrompt NamePrompt ConfirmLanguagePrompt GuessedLanguagesPrompt',
);
const MAX_MISSES = 3;

const consentQuestion = perLanguage((locale) =>
  yesNoQuestion(locale, translator(locale)('onboarding.consent.question')),
);
const confirmNameQuestion = (locale: LanguageCode, args: { name: string }) =>
  yesNoQuestion(locale, translator(locale)('onboarding.name.confirm', { name: args.name }));
/**
 * "العربية؟ 1. نعم / 2. لغة أخرى", in the language offered (the turn's): one digit keeps it. Read as a
 * yes/no question, so "1", "yes", "نعم" keep it and "2", "no" open the list; a negation never keeps it.
 */
const confirmLanguageQuestion = perLanguage((locale) => {
  const t = translator(locale);
  const options = [
    { value: 'keep', label: t('common.yes') },
    { value: 'other', label: t('language.other') },
  ];
  const read = (text: string, l: LanguageCode) => {
    const said = readYesNo(text, l);
    return said === 'yes' ? 'keep' : said === 'no' ? 'other' : undefined;
  };
  return {
    question: t('language.confirm', { language: languageInfo(locale).nativeName }),
    options,
    read,
    simpler: {
      question: t('language.confirm', { language: languageInfo(locale).nativeName }),
      options,
      hints: [t('prompt.yesNo.hint')],
    },
  };
});
/**
 * The languages guessed (kept in the prompt's state: the question read again is the one asked),
 * each in its own script, then "another language", which opens the whole list.
 */
const guessedLanguagesQuestion = (locale: LanguageCode, args: { languages: LanguageCode[] }) => {
  const t = translator(locale);
  const options = args.languages.map((code) => {
    const { nativeName, aliases } = languageInfo(code);
    return { value: code, label: nativeName, synonyms: aliases };
  });
  return {
    question: t('language.question'),
    options: [...options, { value: 'other', label: t('language.other') }],
    hints: [t('prompt.hint')],
  };
};
/**
 * "Do you prefer to read or to listen? 1 read / 2 listen": a number, the word, or a voice note
 * (listen). Heard each time it is asked (again after a miss too): it is for people who cannot read.
 */
const voiceOptions = perLanguage((locale) => {
  const t = translator(locale);
  return {
    question: t('voice.question'),
    options: [
      { value: 'read', label: t('voice.read') },
      { value: 'listen', label: t('voice.listen') },
    ],
  };
});
const voiceQuestion = (locale: LanguageCode, _args: undefined, context: TurnContext) => {
  setTurnListens(context);
  const q = voiceOptions(locale);
  const read = (text: string, l: LanguageCode) => {
    // A voice note nobody could transcribe: they speak (a photo or a sticker says nothing).
    if (!text.trim()) return wordlessContent(context) === 'voice' ? 'listen' : undefined;
    const command = globalCommand(text);
    if (command === 'listen' || command === 'read') return command;
    return recognizeChoice(text, q.options, l)?.value;
  };
  return { ...q, read };
};
const nameQuestion = (locale: LanguageCode) => {
  const t = translator(locale);
  return { question: t('onboarding.name.question'), hints: [t('onboarding.name.hint')] };
};

/** The first keyword of a command in a language, as the consent text tells it ("stop", "supprimer"). */
const keyword = (locale: LanguageCode, command: 'stop' | 'delete') => wordList(locale, `keywords.${command}`)[0];

/** Several short messages, one idea each, sent together. */
async function sayEach(context: TurnContext, locale: LanguageCode, ...lines: string[]) {
  await context.sendActivities(lines.map((line) => say(locale, line)));
}

export class OnboardingDialog extends ComponentDialog {
  constructor(private readonly deps: DialogDeps) {
    super(ONBOARDING_DIALOG);
    // No listener: a language chosen before consent goes on no case.
    this.addDialog(new LanguageDialog(deps.profile));
    this.addDialog(new NumberedChoicePrompt(ID.ConsentPrompt, consentQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.ConfirmNamePrompt, confirmNameQuestion));
    this.addDialog(new TextPrompt(ID.NamePrompt, nameQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.ConfirmLanguagePrompt, confirmLanguageQuestion));
    this.addDialog(new NumberedChoicePrompt(ID.GuessedLanguagesPrompt, guessedLanguagesQuestion));
    this.addDialog(new NumberedChoicePrompt(VOICE_CHOICE_PROMPT, voiceQuestion));
    this.addDialog(
      waterfall(ID.Steps, this, [
        this.chooseLanguage,
        this.afterLanguageConfirmation,
        this.askVoice,
        this.askConsent,
        this.afterConsent,
        this.afterName,
      ]),
    );
    this.addDialog(waterfall(ID.Name, this, [this.proposeName, this.afterProposal, (s) => s.endDialog(s.result)]));
    this.addDialog(waterfall(ID.NameLoop, this, [this.askName, this.checkName]));
    this.initialDialogId = ID.Steps;
  }

  /**
   * No language yet: the one offered (the channel's, not the default; or the one guessed) is
   * confirmed in one digit; several guesses are a short list; nothing to go on, the whole list.
   */
  private async chooseLanguage(step: WaterfallStepContext) {
    const profile = await this.deps.profile.get(step.context, {});
    if (profile.language) return step.next();
    const offered = offeredLanguages(step.context);
    if (offered.length === 1) return step.beginDialog(ID.ConfirmLanguagePrompt);
    if (offered.length > 1) return step.beginDialog(ID.GuessedLanguagesPrompt, { args: { languages: [...offered] } });
    return step.beginDialog(LANGUAGE_DIALOG);
  }

  private async afterLanguageConfirmation(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult | undefined;
    // chosen from the list, or not understood (askConsent gives up)
    if (!answer || answer.index < 0) return step.next();
    if (answer.value === 'other') return step.beginDialog(LANGUAGE_DIALOG);
    // "keep" the language offered (the turn's), or one of the guesses (said in it when it is another)
    const asked = turnLocale(step.context);
    const language = isLanguageCode(answer.value) ? answer.value : asked;
    const profile = await this.deps.profile.get(step.context, {});
    await this.deps.profile.set(step.context, { ...profile, language });
    setTurnLocale(step.context, language);
    if (language !== asked) await step.context.sendActivity(say(language, translator(language)('language.changed')));
    return step.next();
  }

  /** Read or listen, unless they chose already ("listen" said earlier): the question is heard. */
  private async askVoice(step: WaterfallStepContext) {
    const profile = await this.deps.profile.get(step.context, {});
    if (!profile.language || profile.voice) return step.next();
    return step.beginDialog(VOICE_CHOICE_PROMPT);
  }

  private async askConsent(step: WaterfallStepContext) {
    const profile = await this.deps.profile.get(step.context, {});
    // The language dialog gave up (three misses): no language, no consent.
    if (!profile.language) return this.giveUp(step);
    const answer = step.result as ChoiceResult | undefined;
    if (answer && answer.index >= 0) {
      const voice = answer.value as 'listen' | 'read';
      await this.deps.profile.set(step.context, { ...profile, voice });
      setTurnListens(step.context, voice === 'listen');
    }
    // (Not understood: no choice; their case, or a voice note, decides later.)
    const locale = turnLocale(step.context);
    const t = translator(locale);
    // Two bubbles on a phone: what is kept and who sees it; how to stop and to delete.
    await step.context.sendActivities([
      say(
        locale,
        t(channelPhone(step.context) ? 'onboarding.consent.storedWithPhone' : 'onboarding.consent.stored'),
        t('onboarding.consent.who'),
      ),
      say(
        locale,
        t('onboarding.consent.stop', { word: keyword(locale, 'stop') }),
        t('onboarding.consent.delete', { word: keyword(locale, 'delete') }),
      ),
    ]);
    return step.beginDialog(ID.ConsentPrompt);
  }

  private async afterConsent(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult;
    if (answer.index < 0) return this.giveUp(step);
    if (answer.value === 'no') return this.decline(step);
    const known = await caseForPhone(this.deps.db, channelPhone(step.context));
    if (known) return this.finish(step, { linkTo: known.id });
    return step.beginDialog(ID.Name);
  }

  private async afterName(step: WaterfallStepContext) {
    const firstName = step.result as string | undefined;
    return firstName ? this.finish(step, { firstName }) : this.giveUp(step);
  }

  /** The name the channel knows ("Amina" on WhatsApp), proposed as a yes/no question, if it is one. */
  private async proposeName(step: WaterfallStepContext) {
    const name = firstNameFrom(channelProfileName(step.context), { loose: true });
    if (!name) return step.next();
    (step.values as { name?: string }).name = name;
    return step.beginDialog(ID.ConfirmNamePrompt, { args: { name } });
  }

  private async afterProposal(step: WaterfallStepContext) {
    const answer = step.result as ChoiceResult | undefined;
    if (answer?.value === 'yes') return step.endDialog((step.values as { name: string }).name);
    if (answer?.index === -1) return step.endDialog();
    return step.beginDialog(ID.NameLoop, { misses: 0 });
  }

  private async askName(step: WaterfallStepContext) {
    // One answer per round: empty and invalid answers count together, in this loop.
    return step.beginDialog(ID.NamePrompt, { maxMisses: 1 });
  }

  /** An empty answer, a name with digits or signs, or a too long one is asked again, up to three misses. */
  private async checkName(step: WaterfallStepContext) {
    const answer = step.result as TextAnswer;
    const name = isNoAnswer(answer) ? undefined : firstNameFrom(answer.text);
    if (name) return step.endDialog(name);
    const misses = (step.options as { misses: number }).misses + 1;
    if (misses >= MAX_MISSES) return step.endDialog();
    const locale = turnLocale(step.context);
    const t = translator(locale);
    await step.context.sendActivity(
      say(locale, isNoAnswer(answer) ? t('prompt.notUnderstood') : t('onboarding.name.invalid')),
    );
    return step.replaceDialog(ID.NameLoop, { misses });
  }

  /** Consent given: the case (linked or new), the profile, a short thank-you. */
  private async finish(step: WaterfallStepContext, who: { linkTo: number } | { firstName: string }) {
    const { context } = step;
    const locale = turnLocale(context);
    const { voice } = await this.deps.profile.get(context, {});
    const person = await giveConsent(this.deps.db, {
      identity: chatIdentity(context),
      language: locale,
      voiceMode: voice,
      ...who,
      phone: channelPhone(context),
      now: this.deps.now(),
    });
    const { declinedAt: _declined, ...profile } = await this.deps.profile.get(context, {});
    await this.deps.profile.set(context, {
      ...profile,
      beneficiaryId: person.id,
      conversationId: context.activity.conversation.id,
    });
    const t = translator(locale);
    await context.sendActivity(
      say(
        locale,
        person.firstName ? t('onboarding.thanks', { firstName: person.firstName }) : t('onboarding.thanksNoName'),
      ),
    );
    // A CIP's case may have notifications waiting for the person (e.g. a workshop invitation).
    if ('linkTo' in who) await this.deps.notify(person.id, { personIsHere: true });
    return step.endDialog({ beneficiaryId: person.id } satisfies OnboardingResult);
  }

  /** Consent refused: nothing personal is kept, not even this conversation's messages. */
  private async decline(step: WaterfallStepContext) {
    const { context } = step;
    // What was recorded of this conversation goes; this turn is not recorded at all.
    await forgetConversation(this.deps.db, context.activity.channelId, context.activity.conversation.id);
    doNotRecordTurn(context);
    const profile = await this.deps.profile.get(context, {});
    await this.deps.profile.set(context, { ...profile, declinedAt: this.deps.now().toISOString() });
    const locale = turnLocale(context);
    const t = translator(locale);
    await sayEach(
      context,
      locale,
      t('onboarding.declined.ok'),
      t('onboarding.declined.visit'),
      t('onboarding.declined.comeBack'),
    );
    return step.endDialog({} satisfies OnboardingResult);
  }

  /** Three misses at a question: no case can be opened; say so kindly, the menu comes back. */
  private async giveUp(step: WaterfallStepContext) {
    const locale = turnLocale(step.context);
    const t = translator(locale);
    await sayEach(step.context, locale, t('onboarding.giveUp.text'), t('onboarding.giveUp.again'));
    return step.endDialog({} satisfies OnboardingResult);
  }
}
