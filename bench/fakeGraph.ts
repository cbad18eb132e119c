// The fake Graph API (fakeGraphServer.ts) in its own process, as the WhatsApp benchmarks start it:
// the server under test is given PHONE_ID and TOKEN, and the fake reports what it receives in lines.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eachLine } from './lines';

export const PHONE_ID = '100000000000009';
export const TOKEN = 'bench-token';
/** the app secret that signs the benchmark's webhooks */
export const SECRET = 'bench-app-secret';

/** The server's WhatsApp settings, against the fake (at `graphUrl` when it runs). */
export function whatsappSettings(graphUrl?: string, mps?: number): Record<string, string> {
  return {
    WHATSAPP_ACCESS_TOKEN: TOKEN,
    WHATSAPP_APP_SECRET: SECRET,
    WHATSAPP_VERIFY_TOKEN: 'bench',
    WHATSAPP_PHONE_NUMBER_ID: PHONE_ID,
    ...(graphUrl !== undefined && { WHATSAPP_GRAPH_URL: graphUrl }),
    ...(mps !== undefined && { WHATSAPP_MPS: String(mps) }),
  };
}

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
