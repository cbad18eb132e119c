// ask() marks which lines of its text are the options, counted in lines of text: an option (a
// workshop entry in a right-to-left language) or the question may hold several. The web chat
// renderer leaves exactly those lines out of the text when it shows buttons.
import { ask } from '../../cards/messages';
import { renderForWebChat } from '../../bot/channels/webchat/renderer';

test('options of several lines each are left out of the web chat text whole, the question and hints stay', () => {
  const message = ask(
    'fa',
    ['سوال اول', 'سطر دوم\nسطر سوم'],
    [{ label: 'ورکشاپ\nدوشنبه 3 مارچ\nمحل' }, { label: 'دیگر' }],
    ['پایان'],
  );
  expect(message.channelData).toEqual({ optionLines: { from: 3, count: 4 } });
  const shown = renderForWebChat(message);
  expect(shown.text).toBe('سوال اول\nسطر دوم\nسطر سوم\nپایان');
  expect(shown.suggestedActions!.actions).toHaveLength(2);
});

test('one-line options: the lines after the question', () => {
  const message = ask('fr', 'Que voulez-vous faire ?', [{ label: 'Ateliers' }, { label: 'Mon travail' }]);
  expect(message.channelData).toEqual({ optionLines: { from: 1, count: 2 } });
  expect(renderForWebChat(message).text).toBe('Que voulez-vous faire ?');
});
