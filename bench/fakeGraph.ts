// The fake Graph API (fakeGraphServer.ts) in its own process, as the WhatsApp benchmarks start it:
// the server under test is given PHONE_ID and TOKEN, and the fake reports what it receives in lines.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eachLine } from './lines';

export const PHONE_ID = '100000000000009';
export const TOKEN = 'bench-token';

/** Starts the fake (more settings in `env`: FAKE_TRACE, FAKE_LATENCY_MS). */
export function spawnFakeGraph(env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [path.join(__dirname, 'fakeGraphServer.js')], {
    env: { ...process.env, FAKE_ACCESS_TOKEN: TOKEN, FAKE_PHONE_NUMBER_ID: PHONE_ID, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Hands `onLine` each line the fake prints; resolves with its address once it listens. */
export function fakeGraphListening(child: ChildProcess, onLine: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    eachLine(child.stdout!, (line) => {
      if (line.startsWith('listening ')) resolve(line.slice('listening '.length));
      onLine(line);
    });
    child.once('exit', (code) => reject(new Error(`the fake Graph API exited (${code})`)));
  });
}
