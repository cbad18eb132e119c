// Several instances of the real application on one database, each in a child process of its own
// (appProcess.ts) on a fixed local port, so that an instance stopped (SIGTERM), killed (kill -9)
// or restarted comes back at the same address, where a load balancer (roundRobinProxy.ts) expects
// it. They share a media folder, as production instances must.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../bot/db/client';
import { startAppProcess, type AppProcess } from './appProcess';
import { RoundRobinProxy } from './roundRobinProxy';
import { freePort } from './ports';

/** One instance: its address stays while its process comes and goes. */
export class ClusterInstance {
  process?: AppProcess;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until /readyz says 200. */
  async start(): Promise<void> {
    if (this.process) throw new Error(`the instance on ${this.port} is running`);
    this.process = await startAppProcess({ ...this.env, PORT: String(this.port) });
    void this.process.exited.then(() => (this.process = undefined));
    await this.ready();
  }

  /** SIGTERM: the instance drains and exits (within SHUTDOWN_GRACE_SECONDS). */
  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** kill -9 */
  async kill(): Promise<void> {
    await this.process?.kill();
  }

  /** Waits until /readyz answers 200. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await fetch(`${this.url}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`the instance on ${this.port} is not ready (${status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export class Cluster {
  private constructor(
    readonly instances: ClusterInstance[],
    private readonly mediaDir: string,
  ) {}

  /**
   * `size` instances on `databaseUrl`, with `env` (over the defaults below; `own(i)` adds the i-th
   * instance's own) and a media folder of their own. The first starts alone (it migrates and loads
   * the demo data), the others together.
   */
  static async start(
    databaseUrl: string,
    size: number,
    env: Record<string, string> = {},
    own: (index: number) => Record<string, string> = () => ({}),
  ): Promise<Cluster> {
    const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passerelle-cluster-'));
    const shared = {
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      DEMO_DATA: 'on',
      QUIET_HOURS: 'off',
      MEDIA_DIR: mediaDir,
      VOICE_CACHE_DIR: path.join(mediaDir, 'voice-cache'),
      ...env,
    };
    const ports: number[] = [];
    while (ports.length < size) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const cluster = new Cluster(
      ports.map((port, i) => new ClusterInstance(port, { ...shared, ...own(i) })),
      mediaDir,
    );
    try {
      const [first, ...others] = cluster.instances;
      await first!.start();
      await Promise.all(others.map((i) => i.start()));
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** The instances' origins, for a proxy in front of them. */
  get urls(): string[] {
    return this.instances.map((i) => i.url);
  }

  /** Ends every instance (kill -9: nothing of theirs is checked after this) and removes the media folder. */
  async close(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.kill()));
    fs.rmSync(this.mediaDir, { recursive: true, force: true });
  }
}

/** A cluster behind the round-robin proxy, with a connection of the test's own to their database. */
export interface ProxiedCluster {
  cluster: Cluster;
  proxy: RoundRobinProxy;
  db: Database;
  /** the proxy, the instances, then the test's connection */
  close(): Promise<void>;
}

export async function behindProxy(
  databaseUrl: string,
  size: number,
  env: Record<string, string> = {},
  own?: (index: number) => Record<string, string>,
): Promise<ProxiedCluster> {
  const cluster = await Cluster.start(databaseUrl, size, env, own);
  const proxy = await RoundRobinProxy.start(cluster.urls);
  const db = await openDatabase(databaseUrl, { migrate: false });
  return {
    cluster,
    proxy,
    db,
    async close() {
      await proxy.close();
      await cluster.close();
      await db.close();
    },
  };
}
