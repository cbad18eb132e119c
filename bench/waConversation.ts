// A person's WhatsApp conversation as the benchmarks play it (whatsapp.ts, scale.ts): what they
// answer to each question, and the load generator answering as soon as the question arrives.
import type { FakeGraphProcess, WhatsAppServer } from './fakeGraph';
import { textWebhook } from './fakeGraph';

/** What each person answers, question after question (every turn ends with a question). */
export function script(who: number): string[] {
  const kind = who % 3;
  const language = ['1', '٣', '۴'][kind]; // French; Arabic in Arabic-Indic digits; Dari in Persian digits
  const yes = ['1', '١', '۱'][kind];
  const digit = (n: number) =>
    String(n).replace(/\d/g, (d) => ['0123456789', '٠١٢٣٤٥٦٧٨٩', '۰۱۲۳۴۵۶۷۸۹'][kind][Number(d)]);
  // read (not listen), consent yes, "is your name ...?" yes -> menu; agenda -> menu; workshops menu; back;
  // language list; back
  return [language, digit(1), yes, yes, digit(4), digit(1), '0', digit(6), '0'];
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { p50Ms: percentile(s, 50), p95Ms: percentile(s, 95), p99Ms: percentile(s, 99) };
};

/**
 * Person `to` sends `words` one by one, each once the bot's question to the previous one arrived
 * (the first after the question at index `seen` of what they were sent); `onAnswer` gets the time
 * from each webhook to the question answering it. False at the first question that never came.
 */
export async function talk(
  post: WhatsAppServer['post'],
  fake: FakeGraphProcess,
  to: string,
  words: string[],
  seen = 0,
  onAnswer: (ms: number) => void = () => undefined,
): Promise<boolean> {
  for (const text of words) {
    const r = await post(textWebhook(to, text));
    const answer = await fake.question(to, seen, 60_000);
    if (!answer) return false;
    seen = answer.index;
    onAnswer(answer.at - r.started);
  }
  return true;
}
