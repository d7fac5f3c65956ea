import type { StoredEvent } from '#ledger/event-store';
import type { Pool, PoolClient } from '#ledger/postgres';
import type { Projection } from '../projection';
import { trailEntryOf, type TrailEntry } from './subject-trail.entry';

/** Each person's audit trail: one row per event, no personal values, hashes as stored. */
export class SubjectTrailProjection implements Projection {
  readonly name = 'subject-trail';
  readonly migrations = [
    {
      version: 1,
      description: 'subject trail: one row per event',
      sql: `
        CREATE TABLE ledger_subject_trail (
          subject_id uuid NOT NULL,
          revision   integer NOT NULL,
          entry      json NOT NULL,
          PRIMARY KEY (subject_id, revision)
        );`,
    },
  ];

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    const rows = events
      .filter((e) => e.streamId.startsWith('subject-'))
      .map((e) => ({ subject_id: e.streamId.slice('subject-'.length), revision: e.revision, entry: trailEntryOf(e) }));
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO ledger_subject_trail (subject_id, revision, entry)
       SELECT subject_id, revision, entry FROM json_to_recordset($1::json) AS r(subject_id uuid, revision int, entry json)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query('TRUNCATE ledger_subject_trail');
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
