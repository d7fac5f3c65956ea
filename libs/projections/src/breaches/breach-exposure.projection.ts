import { categoryOf, isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';
import type { Projection } from '../projection';

/**
 * Who had data of which category in which system, and when: one row per (subject, system,
 * category), the system being the source a collection came from (the envelope's `source`) or the
 * recipient of a disclosure. A breach's affected persons are one indexed query over it, never a
 * scan of the subjects' streams. It holds ids, names of systems and instants: nothing personal.
 */
export interface ExposureRow {
  readonly subjectId: string;
  readonly system: string;
  readonly category: string;
  readonly at: string;
}

/** What one event of a subject's stream says of exposure: rows to keep, or categories erased. */
export type ExposureChange =
  | { readonly kind: 'held'; readonly rows: readonly ExposureRow[] }
  | {
      readonly kind: 'erased';
      readonly subjectId: string;
      readonly categories: readonly string[];
      readonly at: string;
    };

const categoriesOf = (fields: unknown): string[] =>
  Array.isArray(fields) ? [...new Set(fields.map((f) => categoryOf(String(f))))] : [];

/** The fold of one event, pure: what the table learns from it, if anything. */
export const exposureChange = (event: StoredEvent): ExposureChange | null => {
  if (!isSubjectStream(event.streamId)) return null;
  const subjectId = subjectIdOf(event.streamId);
  const at = event.meta.occurredAt;
  const data = event.data as { fields?: unknown; recipient?: unknown; categories?: unknown };
  const held = (system: string): ExposureChange => ({
    kind: 'held',
    rows: categoriesOf(data.fields).map((category) => ({ subjectId, system, category, at })),
  });
  if (event.type === 'data.collected') return held(event.meta.source);
  if (event.type === 'data.disclosed' && typeof data.recipient === 'string') return held(data.recipient);
  if (event.type === 'erasure.completed' && Array.isArray(data.categories))
    return { kind: 'erased', subjectId, categories: data.categories.map(String), at };
  return null;
};

const TABLE = 'ledger_breach_exposure';
const EXPOSURE_MIGRATION_BASE = 410;

/**
 * The table is new to a store that already holds history, and the feed has passed that history by
 * for the projections it rides with: with the events in this database, the migration fills it
 * from them as the fold would (an erasure counts when no collection came after it). Without them
 * (KurrentDB) the table fills from the feed onwards only.
 */
const BACKFILL = `
DO $$
BEGIN
  IF to_regclass('ledger_events') IS NOT NULL THEN
    INSERT INTO ${TABLE} (subject_id, system, category, first_at, last_at)
    SELECT substr(e.stream_id, 9)::uuid, s.system, split_part(f.field, '.', 1), min(s.at), max(s.at)
    FROM ledger_events e
    CROSS JOIN LATERAL (SELECT
      CASE WHEN e.type = 'data.collected' THEN e.meta->>'source' ELSE e.data->>'recipient' END AS system,
      (e.meta->>'occurredAt')::timestamptz AS at) s
    CROSS JOIN LATERAL json_array_elements_text(e.data->'fields') AS f(field)
    WHERE e.stream_id LIKE 'subject-%' AND e.type IN ('data.collected', 'data.disclosed') AND s.system IS NOT NULL
    GROUP BY 1, 2, 3;
    UPDATE ${TABLE} t SET erased_at = x.at
    FROM (SELECT substr(e.stream_id, 9)::uuid AS subject_id, c.category, max((e.meta->>'occurredAt')::timestamptz) AS at
          FROM ledger_events e CROSS JOIN LATERAL json_array_elements_text(e.data->'categories') AS c(category)
          WHERE e.stream_id LIKE 'subject-%' AND e.type = 'erasure.completed'
          GROUP BY 1, 2) x
    WHERE t.subject_id = x.subject_id AND t.category = x.category AND x.at >= t.last_at;
  END IF;
END $$;`;

interface Held {
  subjectId: string;
  system: string;
  category: string;
  firstAt: string;
  lastAt: string;
}

/**
 * The exposure index as the service runs it, riding with the subject state. Rows held by a batch
 * are merged in memory and written by one statement; an erasure in the batch writes what came
 * before it first, so that a later collection clears the erasure again (the data is held anew).
 */
export class BreachExposureProjection implements Projection {
  readonly name = 'breach-exposure';
  readonly migrations: readonly Migration[] = [
    {
      version: EXPOSURE_MIGRATION_BASE + 1,
      description: 'breach exposure: who had data of which category in which system, and when',
      sql: `CREATE TABLE ${TABLE} (
              subject_id uuid NOT NULL,
              system     text NOT NULL,
              category   text NOT NULL,
              first_at   timestamptz NOT NULL,
              last_at    timestamptz NOT NULL,
              erased_at  timestamptz,
              PRIMARY KEY (system, category, subject_id)
            );
            CREATE INDEX ${TABLE}_subject ON ${TABLE} (subject_id);
            ${BACKFILL}`,
    },
  ];

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    let pending = new Map<string, Held>();
    for (const event of events) {
      const change = exposureChange(event);
      if (change === null) continue;
      if (change.kind === 'erased') {
        await this.write(client, pending);
        pending = new Map();
        await client.query(`UPDATE ${TABLE} SET erased_at = $3 WHERE subject_id = $1 AND category = ANY($2::text[])`, [
          change.subjectId,
          change.categories,
          change.at,
        ]);
        continue;
      }
      for (const row of change.rows) {
        const key = `${row.system}\u0000${row.category}\u0000${row.subjectId}`;
        const seen = pending.get(key);
        if (!seen) pending.set(key, { ...row, firstAt: row.at, lastAt: row.at });
        else if (row.at < seen.firstAt) seen.firstAt = row.at;
        else if (row.at > seen.lastAt) seen.lastAt = row.at;
      }
    }
    await this.write(client, pending);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query(`TRUNCATE ${TABLE}`);
  }

  private async write(client: PoolClient, pending: ReadonlyMap<string, Held>): Promise<void> {
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    await client.query(
      `INSERT INTO ${TABLE} (subject_id, system, category, first_at, last_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
       ON CONFLICT (system, category, subject_id) DO UPDATE SET
         first_at = LEAST(${TABLE}.first_at, EXCLUDED.first_at),
         last_at = GREATEST(${TABLE}.last_at, EXCLUDED.last_at),
         erased_at = CASE WHEN ${TABLE}.erased_at < EXCLUDED.last_at THEN NULL ELSE ${TABLE}.erased_at END`,
      [
        rows.map((r) => r.subjectId),
        rows.map((r) => r.system),
        rows.map((r) => r.category),
        rows.map((r) => r.firstAt),
        rows.map((r) => r.lastAt),
      ],
    );
  }
}
