// `npm start` as a process manager runs it: the server must be the process that gets the signal.
// npm passes SIGTERM on to its child, and the start script execs node (no shell left in between),
// so signalling npm's own pid stops the server: the port closes within the shutdown grace time and
// nothing is left running. A second start with unchanged sources compiles nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../bot/runtime/paths';
import { freePort } from '../support/ports';

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The pids of a process's children (from /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

let tmp: string;
let npm: ChildProcess | undefined;
let server: number | undefined;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-npm-start-'));
});
afterEach(() => {
  for (const pid of [server, npm?.pid]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function npmStart(port: number) {
  let output = '';
  const child = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${path.join(tmp, 'start.db')}`,
      MEDIA_DIR: path.join(tmp, 'media'),
      DEMO_DATA: 'off',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '3000',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

test('SIGTERM to the pid of `npm start` stops the server: the port closes in the grace time, no orphan', async () => {
  const port = await freePort();
  const started = npmStart(port);
  npm = started.child;
  if (!(await until(() => listens(port), 100_000))) throw new Error(`npm start did not listen:\n${started.output()}`);
  // npm's child is the server itself (exec: no shell in between)
  const children = childrenOf(npm.pid!);
  expect(children).toHaveLength(1);
  server = children[0];
  expect(fs.readFileSync(`/proc/${server}/cmdline`, 'utf8')).toContain('dist/index.js');

  // 'close', not 'exit': npm may exit before the server's last lines have come through the pipe.
  const exited = new Promise<number | null>((resolve) => npm!.once('close', (code) => resolve(code)));
  const signalled = Date.now();
  process.kill(npm.pid!, 'SIGTERM');
  // SHUTDOWN_TIMEOUT_MS is 3 s: closed well within it, the server gone, npm gone
  expect(await until(async () => !(await listens(port)), 3000)).toBe(true);
  expect(await until(async () => !alive(server!), 3000)).toBe(true);
  await exited;
  expect(Date.now() - signalled).toBeLessThan(6000);
  expect(started.output()).toContain('shutting down');
}, 120_000);

test('a second start with unchanged sources compiles nothing', async () => {
  const port = await freePort();
  const started = npmStart(port);
  npm = started.child;
  if (!(await until(() => listens(port), 60_000))) throw new Error(`npm start did not listen:\n${started.output()}`);
  expect(started.output()).not.toContain('Compiling TypeScript');
  process.kill(npm.pid!, 'SIGTERM');
  expect(await until(async () => !(await listens(port)), 5000)).toBe(true);
}, 90_000);
