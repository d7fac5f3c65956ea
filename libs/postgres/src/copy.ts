import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A field of COPY's text format: NULL as \N, and the four characters it gives a meaning escaped. */
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
export const copyField = (value: string | number | null): string =>
  value === null
    ? '\\N'
    : typeof value === 'number'
      ? String(value)
      : value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!);

/** One row of COPY's text format. A Buffer goes as bytea (`\x` and hex). */
export const copyLine = (fields: ReadonlyArray<string | number | null | Buffer>): string =>
  `${fields.map((f) => (Buffer.isBuffer(f) ? `\\\\x${f.toString('hex')}` : copyField(f))).join('\t')}\n`;

/**
 * Rows into a table by COPY, in one statement: all or none, and the cheapest way into
 * PostgreSQL for a batch (the server parses no INSERT and projects no rows).
 */
export async function copyInto(
  client: PoolClient,
  table: string,
  columns: string,
  lines: readonly string[],
): Promise<void> {
  await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}
