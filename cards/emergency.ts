// Emergency numbers in a bot message ("appelez le 115", "اتصل بالرقم 112"), for the channels that
// can make them tappable (the web chat turns each span into a tel: link). The texts keep plain
// digits, channel-neutral: WhatsApp and speech read them as they are.
//
// Listed: the free French and European numbers people may need, written alone (not part of a
// longer number, a time "15:30", a price, a reference). 15, 17 and 18 are common day numbers
// ("samedi 15 mars"), so they count only right after their service's name ("SAMU 15",
// "police : 17", "pompiers (18)").

export interface EmergencyNumber {
  /** where the number starts in the text (UTF-16 index) */
  start: number;
  /** just after its last digit */
  end: number;
  /** Latin digits, as dialled: "115" */
  number: string;
  /** "tel:115" */
  href: string;
}

/** 112 Europe, 114 by text message (deaf people), 115 shelter, 119 children, 196 sea, 3919 violence against women. */
const ALWAYS = new Set(['112', '114', '115', '119', '196', '3919']);
/** SAMU 15, police 17, pompiers 18: only after the service's name. */
const AFTER_NAME: Record<string, RegExp> = {
  '15': /\bSAMU\s*[:(]?\s*$/i,
  '17': /\bpolice(?:\s+secours)?\s*[:(]?\s*$/i,
  '18': /\bpompiers\s*[:(]?\s*$/i,
};

const DIGIT = '0-9\\u0660-\\u0669\\u06F0-\\u06F9';
// A digit run not glued to a letter, another digit, a decimal or time separator, a currency or percent.
const RUN = new RegExp(
  `(?<![${DIGIT}\\p{L}.,:/#-])[${DIGIT}]+(?![${DIGIT}\\p{L}%€$:/-]|[.,][${DIGIT}]|\\s?(?:h|€|%)(?![\\p{L}]))`,
  'gu',
);

const latin = (digits: string) =>
  digits.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));

/** The emergency numbers of a text, in order. */
export function emergencyNumbers(text: string): EmergencyNumber[] {
  const found: EmergencyNumber[] = [];
  for (const match of text.matchAll(RUN)) {
    const number = latin(match[0]);
    const start = match.index!;
    const named = AFTER_NAME[number]?.test(text.slice(0, start));
    if (ALWAYS.has(number) || named) found.push({ start, end: start + match[0].length, number, href: `tel:${number}` });
  }
  return found;
}
