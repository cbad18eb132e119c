// The HTTP server (restify): health and readiness probes; each channel registers its own routes.
import restify, { type Request, type Response, type Server } from 'restify';
import type { Database } from '../db/client';
import type { Logger } from './logger';
import { safeError } from './safeError';

/** What /readyz says besides the database: `draining` once the instance is stopping. */
export interface Readiness {
  draining: boolean;
}

export function createServer(db: Database, log: Logger, readiness: Readiness = { draining: false }): Server {
  const server = restify.createServer({
    name: 'passerelle',
    handleUncaughtExceptions: false,
    ignoreTrailingSlash: true,
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.on(
    'restifyError',
    (req: Request, _res: Response, err: Error & { statusCode?: number }, callback: () => void) => {
      // Client errors are the client's business; server errors are ours. Never log bodies.
      const status = err.statusCode ?? 500;
      if (status >= 500)
        log.error({ method: req.method, path: req.path(), status, err: safeError(err) }, 'request failed');
      else log.debug({ method: req.method, path: req.path(), status }, 'request refused');
      callback();
    },
  );

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: Request, res: Response) => {
    // A stopping instance says so at once: the load balancer sends it nothing new.
    if (readiness.draining) res.send(503, { status: 'draining', reason: 'this instance is stopping' });
    else if (await db.ping()) res.send(200, { status: 'ready' });
    else res.send(503, { status: 'unavailable', reason: 'the database does not answer' });
  });
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections and resolves when open requests have ended (or after `ms`). */
export function close(server: Server, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.server.closeAllConnections();
      resolve();
    }, ms);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.server.closeIdleConnections();
  });
}
