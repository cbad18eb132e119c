// cards/emergency.ts: the emergency numbers of a bot message, for the web chat to make tappable
// (tel: links); days, times, prices and references are never taken for one.
import { translator } from '../../bot/i18n/translator';
import { LANGUAGE_CODES } from '../../bot/i18n/languages';
import { emergencyNumbers } from '../../cards/emergency';

const numbers = (text: string) => emergencyNumbers(text).map((n) => n.number);

test('in every language, the shelter and danger texts carry 115 and 112, with spans on the digits', () => {
  for (const code of LANGUAGE_CODES) {
    const t = translator(code);
    for (const [key, number] of [
      ['problem.shelter', '115'],
      ['problem.danger', '112'],
    ] as const) {
      const text = t(key);
      const [found] = emergencyNumbers(text);
      expect(found).toEqual({
        start: text.indexOf(number),
        end: text.indexOf(number) + number.length,
        number,
        href: `tel:${number}`,
      });
    }
  }
});

test(
  '3919, 114, 119, 196 anywhere; 15, 17, 18 after the service name only; Arabic-Indic and Persian digits dial ' +
    'as Latin ones',
  () => {
    expect(numbers('Violences : appelez le 3919, ou le 114 par SMS.')).toEqual(['3919', '114']);
    expect(numbers('Appelez le SAMU (15), la police : 17, les pompiers 18, ou le 112.')).toEqual([
      '15',
      '17',
      '18',
      '112',
    ]);
    expect(emergencyNumbers('اتصل بالرقم ١١٢')).toEqual([{ start: 12, end: 15, number: '112', href: 'tel:112' }]);
    expect(numbers('۱۱۵ زنگ بزنید')).toEqual(['115']);
  },
);

test('days, times, prices, references and longer numbers are not emergency numbers', () => {
  for (const text of [
    'samedi 15 mars, 15 h',
    '9:30 – 11:15',
    'Le 17 et le 18 mars',
    '1150 €',
    '115 €',
    '115€',
    '112h',
    'B-1150',
    '115,5',
    '0611512345',
    '2112',
    'RDV 15h',
  ]) {
    expect({ text, found: emergencyNumbers(text) }).toEqual({ text, found: [] });
  }
});
