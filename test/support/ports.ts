// Local ports and local HTTP servers for tests (the fakes of the services the app calls).
import http from 'node:http';
import net from 'node:net';

/** A local port where nothing listens (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP server on a free local port that gives each request to `handle`; resolves once it listens. */
export async function listenLocally(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<unknown>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The address of a server listenLocally started, e.g. http://127.0.0.1:41234. */
export const originOf = (server: http.Server) => `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

/** Closes the server and the connections still open to it. */
export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The whole body of a request. */
export async function bodyOf(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
