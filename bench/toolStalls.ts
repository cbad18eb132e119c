// What starting the voice's tools costs the server's event loop. Starting a process copies the
// page tables of the process that starts it, and its event loop stands still meanwhile: so the
// server has its tools started by a small helper process (bot/voice/audioTools.ts). In a process
// grown to the server's size under load (MB, default 300), the event loop's delay (p99, max) while
// 20 clips' tools run, two at a time: started by the helper, then by the process itself.
// `npm run build && node dist/bench/toolStalls.js [MB]` (espeak-ng installed).
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runTool } from '../bot/voice/audioTools';

const CLIPS = 20;
const TEXT = 'Merci Amina. Voici le menu.';

/** One tool started by this process itself (as the server did before the helper). */
function runHere(name: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(name, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', reject);
    child.on('close', () => resolve());
    child.stdin.end(input);
  });
}

async function measure(what: string, run: (name: string, args: string[], input: string) => Promise<unknown>) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = Date.now();
  for (let i = 0; i < CLIPS; i++)
    await Promise.all([run('espeak-ng', ['--stdout', '-v', 'fr'], TEXT), run('cat', [], 'x')]);
  delay.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `${what.padEnd(28)} event loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, ` +
      `max ${ms(delay.max)} ms; ${CLIPS} clips in ${Date.now() - started} ms`,
  );
}

async function main() {
  const mb = Number(process.argv[2] ?? 300);
  // (memory written to, as the server's heap is: its pages are what a new process's start copies)
  const held: Uint8Array[] = [];
  for (let i = 0; i < mb; i++) held.push(new Uint8Array(1 << 20).fill(1));
  console.log(`process RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB (${held.length} MB held)`);
  await runTool('true', [], ''); // (the helper started, as at the server's first clip)
  for (let round = 0; round < 2; round++) {
    await measure('started by the helper', runTool);
    await measure('started by the process', runHere);
  }
}

void main();
