import { pgErrorOf } from './pool';

/**
 * SQLSTATEs of faults that pass: the server is going away or starting (57P01–57P03), out of disk,
 * memory or connections (53100, 53200, 53300), read-only after a fail-over (25006), a cancelled
 * statement (57014), a serialisation failure or deadlock (40001, 40P01), a lock not available
 * (55P03). Class 08 (connection exceptions) counts whole.
 */
const TRANSIENT_SQLSTATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53100',
  '53200',
  '53300',
  '25006',
  '57014',
  '40001',
  '40P01',
  '55P03',
]);

/** The driver's own socket failures, which carry a Node error code instead of a SQLSTATE. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * Whether a PostgreSQL error is an outage (retry later; the input is not at fault) rather than a
 * bad statement or bad input. One classifier for every path that reaches PostgreSQL while
 * recording, so a fault that passes is never answered as a refusal or dead-lettered.
 */
export function isTransientFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = pgErrorOf(error);
  if (code === undefined) {
    // pg's own connection failures carry neither a SQLSTATE nor a Node code, only a message.
    return /connect|terminated|timeout|closed|ended/i.test(error.message);
  }
  return code.startsWith('08') || TRANSIENT_SQLSTATES.has(code) || CONNECTION_CODES.has(code);
}
