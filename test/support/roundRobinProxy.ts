// A small reverse proxy for tests of several app instances, as a load balancer in front of them:
// on 127.0.0.1, each request goes to the next instance in turn (round robin, no health checks, no
// sticky sessions). It sets X-Forwarded-For (the client's address appended) and X-Forwarded-Proto,
// keeps the Host the client asked for, and streams the answer back as it comes (a long poll waits
// as long as the instance makes it). The request's body is read first (as nginx does by default)
// so that it can be sent again: a request whose connection is refused, or reset before any answer,
// goes once more to the next instance, as load balancers do; a second failure is answered 502 and
// counted. No connection to an instance is kept alive: a stopped instance shows as refused at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Errors that mean the instance never took the request (it is down, stopping, or just died). */
const NOT_TAKEN = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** Headers of one connection only, not passed on (RFC 9110 section 7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export interface ProxyFailure {
  method: string;
  path: string;
  /** what happened at each instance tried (its origin: the error) */
  tries: string[];
}

export class RoundRobinProxy {
  private next = 0;
  /** requests given to a second instance after the first refused or reset them */
  retries = 0;
  /** when each request still in progress came in */
  private readonly open = new Map<http.ServerResponse, number>();
  /** requests that failed: answered 502, or cut off after their answer began */
  readonly failures: ProxyFailure[] = [];
  /** requests each instance answered, by origin */
  readonly answeredBy = new Map<string, number>();
  /** turned off, the proxy answers 502 at the first refusal (to show what the retry is for) */
  retry = true;

  private constructor(
    private readonly server: http.Server,
    readonly targets: string[],
  ) {}

  /** Starts the proxy in front of `targets` (origins such as http://127.0.0.1:4001). */
  static async start(targets: string[]): Promise<RoundRobinProxy> {
    // eslint-disable-next-line prefer-const -- the handler needs the proxy, made with the server
    let proxy!: RoundRobinProxy;
    const server = http.createServer((req, res) => void proxy.handle(req, res));
    // A long poll (10 s) or a slow turn must not be cut here.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    proxy = new RoundRobinProxy(server, targets);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** e.g. http://127.0.0.1:41234 */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** When the oldest request still in progress came in (undefined: none is). */
  oldestInProgress(): number | undefined {
    return this.open.size ? Math.min(...this.open.values()) : undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.open.set(res, Date.now());
    res.once('close', () => this.open.delete(res));
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away
    }
    const body = Buffer.concat(chunks);
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const client = req.socket.remoteAddress ?? '';
    const forwarded = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    headers['content-length'] = String(body.length);
    const first = this.next++ % this.targets.length;
    const attempts = this.retry ? 2 : 1;
    const tries: string[] = [];
    for (let attempt = 0; attempt < attempts; attempt++) {
      const target = this.targets[(first + attempt) % this.targets.length]!;
      const outcome = await this.forward(target, req, res, headers, body);
      if (outcome === 'done') return;
      tries.push(`${target}: ${outcome.error}`);
      if (attempt + 1 < attempts) {
        this.retries++;
        continue;
      }
      this.failures.push({ method: req.method ?? '', path: req.url ?? '', tries });
      if (res.headersSent) return;
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('bad gateway');
    }
  }

  /**
   * One try at `target`: 'done' once the answer went back (or was cut: counted), or why the
   * instance did not take the request.
   */
  private forward(
    target: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    headers: http.OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<'done' | { error: string }> {
    return new Promise((resolve) => {
      const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers, agent: false });
      // The client left (a closed page, a poll given up): the instance need not go on.
      let left = false;
      const clientGone = () => {
        if (res.writableFinished) return;
        left = true;
        upstream.destroy();
      };
      res.once('close', clientGone);
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        if (res.headersSent) return; // handled by the answer's own error below
        res.off('close', clientGone);
        if (left) resolve('done');
        else if (NOT_TAKEN.has(err.code ?? '')) resolve({ error: err.code! });
        else resolve({ error: err.message });
      });
      upstream.once('response', (answer) => {
        const out: http.OutgoingHttpHeaders = { ...answer.headers };
        for (const name of HOP_BY_HOP) delete out[name];
        res.writeHead(answer.statusCode ?? 502, out);
        this.answeredBy.set(target, (this.answeredBy.get(target) ?? 0) + 1);
        answer.pipe(res);
        const cut = (error: string) => {
          if (res.writableFinished) return;
          this.failures.push({ method: req.method ?? '', path: req.url ?? '', tries: [`${target}: ${error}`] });
          res.destroy();
        };
        answer.once('aborted', () => cut('the answer was cut'));
        answer.once('error', (err) => cut(err.message));
        res.once('finish', () => resolve('done'));
        res.once('close', () => resolve('done'));
      });
      upstream.end(body);
    });
  }
}
