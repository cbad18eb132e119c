// The real server (bench/server.ts) in a process of its own, as the broadcast and scale
// benchmarks run it, its memory and CPU read from /proc; and a fresh database for it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eachLine } from './lines';
import { serverFlags } from './nodeFlags';

/** CPU time a process has used (utime + stime of /proc/<pid>/stat), in clock ticks; throws once it ended. */
export function cpuTicksOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from the 3rd field (state) on
  return Number(fields[11]) + Number(fields[12]);
}

let clockTicks: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The real server in its own process: its URL once it listens, its memory and CPU from /proc. */
export class ServerProcess {
  private hwmKb = 0;
  private rssKb = 0;
  private cpuTicks = 0;
  private sampler?: NodeJS.Timeout;
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    this.sample();
    this.sampler = setInterval(() => this.sample(), 100);
  }

  static start(env: Record<string, string>, log: (line: string) => void): Promise<ServerProcess> {
    // BENCH_SERVER_ARGS: more options for the server's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it).
    const extra = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...serverFlags(), ...extra, path.join(__dirname, 'server.js')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let started = false;
      eachLine(child.stdout!, (line) => {
        const match = /^listening (\S+)/.exec(line);
        if (match && !started) {
          started = true;
          resolve(new ServerProcess(child, match[1]));
        } else if (line.trim()) log(`server: ${line.slice(0, 300)}`); // warnings and errors (LOG_LEVEL=warn)
      });
      let err = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        if (started) log(`server stderr: ${chunk.toString().trim().slice(0, 300)}`);
      });
      child.once('exit', (code, signal) => {
        if (!started) reject(new Error(`the server exited (${code ?? signal}) before listening: ${err.slice(-2000)}`));
      });
    });
  }

  private sample() {
    const pid = this.child.pid;
    if (!pid || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      this.hwmKb = Math.max(this.hwmKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      this.rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      this.cpuTicks = cpuTicksOf(pid);
    } catch {
      // the process just ended: the last sample stands
    }
  }

  /** Peak resident memory so far, MB (the kernel's high-water mark). */
  peakRssMb(): number {
    this.sample();
    return this.hwmKb / 1024;
  }

  rssMb(): number {
    this.sample();
    return this.rssKb / 1024;
  }

  cpuSeconds(): number {
    this.sample();
    return this.cpuTicks / ticksPerSecond();
  }

  async kill9(): Promise<void> {
    this.sample();
    clearInterval(this.sampler);
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.sample();
    clearInterval(this.sampler);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function tempDatabase(
  kind: 'sqlite' | 'postgres',
  dir: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') return { url: `file:${path.join(dir, 'bench.db')}`, drop: async () => undefined };
  const { createTempPostgres, postgresAvailable, PG_ADMIN_URL } = await import('../test/support/postgres');
  if (!(await postgresAvailable()))
    throw new Error(`--db postgres: no PostgreSQL at ${PG_ADMIN_URL} (TEST_POSTGRES_URL)`);
  return createTempPostgres();
}
