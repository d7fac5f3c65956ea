import type { StoredEvent } from '#ledger/event-store';
import type { Pool, PoolClient } from '#ledger/postgres';
import type { RebuildableProjection } from '../projection';
import { trailEntryOf, type TrailEntry } from './subject-trail.entry';

const TABLE = 'ledger_subject_trail';
const tableDdl = (table: string) => `CREATE TABLE ${table} (subject_id uuid NOT NULL, revision integer NOT NULL, entry json NOT NULL);`;
const indexDdl = (table: string) => `ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (subject_id, revision);`;

/** Each person's audit trail: one row per event, no personal values, hashes as stored. */
export class SubjectTrailProjection implements RebuildableProjection {
  readonly name = 'subject-trail';
  readonly foldsStreams = false;
  readonly migrations = [{ version: 1, description: 'subject trail: one row per event', sql: tableDdl(TABLE) + indexDdl(TABLE) }];

  constructor(readonly table: string = TABLE) {}

  withTable(table: string): SubjectTrailProjection {
    return new SubjectTrailProjection(table);
  }

  ddl(table: string) {
    return { create: tableDdl(table), index: indexDdl(table) };
  }

  async renameIndexes(client: PoolClient, from: string, to: string): Promise<void> {
    await client.query(`ALTER TABLE ${to} RENAME CONSTRAINT ${from}_pkey TO ${to}_pkey`);
  }

  /** Rows are per event, so a fresh build is a plain insert. */
  async applyFresh(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    await this.insert(events, client, '');
  }

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    await this.insert(events, client, 'ON CONFLICT DO NOTHING');
  }

  private async insert(events: readonly StoredEvent[], client: PoolClient, onConflict: string): Promise<void> {
    const rows = events
      .filter((e) => e.streamId.startsWith('subject-'))
      .map((e) => ({ subject_id: e.streamId.slice('subject-'.length), revision: e.revision, entry: trailEntryOf(e) }));
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO ${this.table} (subject_id, revision, entry)
       SELECT subject_id, revision, entry FROM json_to_recordset($1::json) AS r(subject_id uuid, revision int, entry json)
       ${onConflict}`,
      [JSON.stringify(rows)],
    );
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query(`TRUNCATE ${this.table}`);
  }
}

export class SubjectTrailReader {
  constructor(private readonly pool: Pool) {}

  async get(subjectId: string): Promise<TrailEntry[]> {
    const { rows } = await this.pool.query<{ entry: TrailEntry }>(
      'SELECT entry FROM ledger_subject_trail WHERE subject_id = $1 ORDER BY revision',
      [subjectId],
    );
    return rows.map((r) => r.entry);
  }
}
