// Inner dialog ids are saved with every conversation: innerIds must give exactly the strings the
// dialogs used before it (a conversation saved then resumes now).
import { innerIds } from '../../dialogs/ids';

test('each id is the dialog name then the part name', () => {
  expect(innerIds('onboarding', 'Steps NameLoop ConfirmLanguagePrompt')).toEqual({
    Steps: 'onboardingSteps',
    NameLoop: 'onboardingNameLoop',
    ConfirmLanguagePrompt: 'onboardingConfirmLanguagePrompt',
  });
  expect(innerIds('problem', 'CategoryMore').CategoryMore).toBe('problemCategoryMore');
});
