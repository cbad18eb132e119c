// What a file really is, from its first bytes, by the file-type library (types.ts decides what
// we keep). file-type runs in a worker thread, for two reasons:
// - it is an ES module only (v17+; the last CommonJS line, 16.x, hangs the whole process on an
//   ASF header of 200 bytes, CVE-2026-31808, and gets no fix). This build is CommonJS, and jest's
//   module sandbox cannot import() an ES module; a worker is plain Node and imports it natively.
// - hostile bytes: if a parser ever loops again, the worker is stopped after SNIFF_TIMEOUT_MS and
//   the file refused, while the server goes on answering.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const SNIFF_TIMEOUT_MS = 5000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const library = import(workerData.module);
parentPort.on('message', async ({ id, file, bytes }) => {
  try {
    const { fileTypeFromFile, fileTypeFromBuffer } = await library;
    const found = file ? await fileTypeFromFile(file) : await fileTypeFromBuffer(bytes);
    parentPort.postMessage({ id, mime: found ? found.mime : undefined });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

type Input = { file: string } | { bytes: Uint8Array };

interface Pending {
  input: Input;
  resolve: (mime: string | undefined) => void;
  timer?: NodeJS.Timeout;
  tries: number;
}

export interface SnifferOptions {
  /** how long one file may take, ms */
  timeoutMs?: number;
  /** the worker's code (tests give one that hangs) */
  source?: string;
}

export class Sniffer {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(private readonly options: SnifferOptions = {}) {}

  /** The MIME type the bytes show (e.g. "audio/ogg; codecs=opus"), or undefined when unknown. */
  sniff(input: Input): Promise<string | undefined> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.pending.set(id, { input, resolve, tries: 0 });
      this.post(id);
    });
  }

  private post(id: number) {
    const p = this.pending.get(id)!;
    clearTimeout(p.timer);
    if (++p.tries > 2) return this.settle(id, undefined); // a worker that keeps dying: unknown
    p.timer = setTimeout(() => this.stuck(id), this.options.timeoutMs ?? SNIFF_TIMEOUT_MS);
    this.start().postMessage({ id, ...p.input });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.source ?? WORKER_SOURCE, {
      eval: true,
      workerData: { module: pathToFileURL(require.resolve('file-type/node')).href },
    });
    worker.on('message', ({ id, mime }: { id: number; mime?: string }) => this.settle(id, mime));
    worker.on('error', () => this.stop(worker));
    worker.on('exit', () => this.stop(worker));
    worker.unref(); // after the listeners (a 'message' listener refs it again): idle, it keeps nothing alive
    this.worker = worker;
    return worker;
  }

  private settle(id: number, mime: string | undefined) {
    const p = this.pending.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(mime);
  }

  /** A file the worker is stuck on: it is refused, the worker stopped, the other files sent to a new one. */
  private stuck(id: number) {
    this.settle(id, undefined);
    if (this.worker) this.stop(this.worker);
  }

  private stop(worker: Worker) {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void worker.terminate();
    for (const id of [...this.pending.keys()]) this.post(id);
  }
}

const sniffer = new Sniffer();

/** The type a file's bytes show, by its path or its bytes; undefined when unknown. */
export function sniffType(input: Input): Promise<string | undefined> {
  return sniffer.sniff(input);
}
