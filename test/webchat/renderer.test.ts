// The web chat's rendering of the bot's replies: options as buttons only (with their numbers),
// "0 = menu" a button, the tapped label for the person's bubble, emergency numbers as tel: links;
// speak unchanged; WhatsApp's rendering of the same question keeps its numbered lines.
import { ask, say } from '../../cards/messages';
import { renderActivities } from '../../bot/channels/whatsapp/renderer';
import { renderForWebChat } from '../../bot/channels/webchat/renderer';

const question = () =>
  ask(
    'fr',
    'Que voulez-vous faire ?',
    [{ label: 'Ateliers' }, { label: 'Mon travail' }],
    ['Envoyez un numéro.', '0 = menu'],
  );

test('a question shows its options once, as numbered buttons that send the number and show the label', () => {
  const original = question();
  const out = renderForWebChat(original);
  expect(out.text).toBe('Que voulez-vous faire ?\nEnvoyez un numéro.');
  expect(out.suggestedActions!.actions).toEqual([
    { type: 'messageBack', title: '1 · Ateliers', text: '1', displayText: '1 · Ateliers', value: '1' },
    { type: 'messageBack', title: '2 · Mon travail', text: '2', displayText: '2 · Mon travail', value: '2' },
    { type: 'messageBack', title: '0 · menu', text: '0', displayText: '0 · menu', value: '0' },
  ]);
  expect(out.speak).toBe(original.speak); // still reads the options out
  expect(out.channelData).toBeUndefined(); // the marker stays on the server
  expect(original.text).toContain('1. Ateliers'); // the bot's activity itself is untouched
});

test('the menu hint in Arabic becomes a button in Arabic; no hint, no menu button', () => {
  const ar = renderForWebChat(ask('ar', 'ماذا تريد أن تفعل؟', [{ label: 'الورشات' }], ['0 = القائمة']));
  expect(ar.text).toBe('ماذا تريد أن تفعل؟');
  expect(ar.suggestedActions!.actions.map((a) => a.title)).toEqual(['1 · الورشات', '0 · القائمة']);
  const none = renderForWebChat(ask('fr', 'Oui ou non ?', [{ label: 'Oui' }, { label: 'Non' }]));
  expect(none.suggestedActions!.actions.map((a) => a.text)).toEqual(['1', '2']);
});

test('WhatsApp keeps the numbered lines of the same question', () => {
  const [rendered] = renderActivities([question()], 'fr');
  expect(rendered.text).toContain('1. Ateliers\n2. Mon travail');
});

test('emergency numbers become tel: links in Markdown, the rest escaped, each line a paragraph', () => {
  const out = renderForWebChat(say('fr', 'En danger ? Appelez le 112 (gratuit).', '1. *Pas* un lien <b>'));
  expect(out.textFormat).toBe('markdown');
  expect(out.text).toBe('En danger ? Appelez le [112](tel:112) \\(gratuit\\)\\.\n\n1\\. \\*Pas\\* un lien \\<b\\>');
  expect(out.channelData).toEqual({ passerelleLines: true });
  expect(out.speak).toContain('112');
  // A day of the month is not an emergency number: plain text as before.
  const plain = renderForWebChat(say('fr', 'Atelier le samedi 15 mars.'));
  expect(plain.textFormat).toBe('plain');
  expect(plain.text).toBe('Atelier le samedi 15 mars.');
});

test('anything but a message passes through', () => {
  const event = { type: 'event', name: 'passerelle/forget' };
  expect(renderForWebChat(event)).toBe(event);
});
