// The real application in a child process of its own (serverProcess.cjs, from the TypeScript
// sources), for tests that kill it (kill -9), stop it (SIGTERM) and start it again: configured by
// its environment, as with `npm start`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../bot/runtime/paths';

export interface AppProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** resolves when the process has ended (however it ended) */
  exited: Promise<void>;
  /** SIGTERM: the app's own stop (drain, then exit) */
  stop(): Promise<void>;
  /** SIGKILL: no chance to clean up */
  kill(): Promise<void>;
  /** what the server wrote on stderr so far (its warnings and errors, as JSON lines) */
  log(): string;
}

/**
 * Starts the app with `env` over this process's environment (NODE_OPTIONS quiets a deprecation);
 * resolves once it listens, rejects if it exits before.
 */
export function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'test', 'support', 'serverProcess.cjs')], {
    env: { ...process.env, NODE_OPTIONS: '--disable-warning=DEP0111', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const log = () => err;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\S+)/.exec(out);
      if (match)
        resolve({ child, url: match[1], exited, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL'), log });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
}
