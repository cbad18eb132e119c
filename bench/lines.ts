// The benchmark's child processes (the server, the fake Graph API) talk in lines on stdout.
import type { Readable } from 'node:stream';

/** Calls `onLine` with each whole line the stream prints (without its newline). */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      onLine(line);
    }
  });
}
