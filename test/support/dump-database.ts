import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';

/**
 * The whole database as text: `pg_dump` when the machine's client can dump this server, else
 * every table's rows through COPY (the embedded server is newer than the machine's pg_dump).
 * Says which, so a test log shows what was really searched.
 */
export async function dumpDatabase(url: string): Promise<{ text: string; how: 'pg_dump' | 'copy' }> {
  try {
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', '--data-only', url], {
      maxBuffer: 512 * 1024 * 1024,
    });
    return { text: stdout, how: 'pg_dump' };
  } catch {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
      );
      const parts: string[] = [];
      for (const { tablename } of rows) {
        const { rows: data } = await client.query(`SELECT * FROM "${tablename}"`);
        parts.push(`-- ${tablename}\n${data.map((r) => JSON.stringify(r)).join('\n')}`);
      }
      return { text: parts.join('\n'), how: 'copy' };
    } finally {
      await client.end();
    }
  }
}
