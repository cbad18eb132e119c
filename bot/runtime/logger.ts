// Structured JSON logs (pino). Never log message text or phone numbers: pass ids, types and counts.
// The redaction below is a safety net for mistakes, not a licence to log personal data.
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACTED = [
  'text',
  'phone',
  'body',
  'speak',
  'password',
  'token',
  'authorization',
  '*.text',
  '*.phone',
  '*.body',
  '*.speak',
  '*.password',
  '*.token',
  '*.authorization',
  'req.headers.authorization',
  'activity.text',
  'activity.from.name',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'passerelle',
      level,
      redact: { paths: REDACTED, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and benchmarks. */
export const silentLogger: Logger = pino({ level: 'silent' });
