import { isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { Migration, PoolClient } from '#ledger/postgres';
import type { Projection } from '../projection';

/** What one batch of events adds to the figures of each purpose and to the systems seen. */
export interface ActivityBatch {
  /** Per purpose: its events, the persons they name, and the latest moment of them. */
  readonly purposes: Map<string, { events: number; subjects: Set<string>; lastAt: string }>;
  /** Per `source:name` or `recipient:name`: how often the system was seen and when last. */
  readonly parties: Map<string, { kind: PartyKind; name: string; events: number; lastAt: string }>;
}

export type PartyKind = 'source' | 'recipient';

/** The purposes an event names: one for processing and consent, several for an objection. */
export function purposesOf(event: StoredEvent): string[] {
  const data = event.data as { purpose?: unknown; purposes?: unknown };
  if (typeof data.purpose === 'string') return [data.purpose];
  return Array.isArray(data.purposes) ? data.purposes.filter((p): p is string => typeof p === 'string') : [];
}

const later = (a: string, b: string): string => (a >= b ? a : b);

/**
 * Folds a batch into per-purpose figures and the systems seen: the source system of each
 * collection, the recipient of each disclosure. Names and ids only, never a personal value.
 */
export function summariseActivity(events: readonly StoredEvent[]): ActivityBatch {
  const batch: ActivityBatch = { purposes: new Map(), parties: new Map() };
  for (const event of events) {
    if (!isSubjectStream(event.streamId)) continue;
    const at = event.meta.occurredAt;
    for (const purpose of purposesOf(event)) {
      const row = batch.purposes.get(purpose) ?? { events: 0, subjects: new Set<string>(), lastAt: at };
      row.events += 1;
      row.subjects.add(subjectIdOf(event.streamId));
      row.lastAt = later(row.lastAt, at);
      batch.purposes.set(purpose, row);
    }
    const party: [PartyKind, unknown] | null =
      event.type === 'data.collected'
        ? ['source', event.meta.source]
        : event.type === 'data.disclosed'
          ? ['recipient', (event.data as { recipient?: unknown }).recipient]
          : null;
    if (party && typeof party[1] === 'string') {
      const [kind, name] = party as [PartyKind, string];
      const row = batch.parties.get(`${kind}:${name}`) ?? { kind, name, events: 0, lastAt: at };
      row.events += 1;
      row.lastAt = later(row.lastAt, at);
      batch.parties.set(`${kind}:${name}`, row);
    }
  }
  return batch;
}

const TABLES = ['ledger_purpose_activity', 'ledger_purpose_subjects', 'ledger_seen_parties', 'ledger_activity_streams'];

/** Each subject event's purposes, read from the store's table as `purposesOf` reads them. */
const STORED_PURPOSES = `
  SELECT substr(e.stream_id, 9)::uuid AS subject_id, p.purpose,
         COALESCE((e.meta->>'occurredAt')::timestamptz, e.recorded_at) AS at
  FROM ledger_events e
  CROSS JOIN LATERAL (
    SELECT e.data->>'purpose' AS purpose WHERE json_typeof(e.data->'purpose') = 'string'
    UNION ALL
    SELECT x FROM json_array_elements_text(CASE
      WHEN json_typeof(e.data->'purpose') IS DISTINCT FROM 'string' AND json_typeof(e.data->'purposes') = 'array'
      THEN e.data->'purposes' ELSE '[]'::json END) AS x) p
  WHERE e.stream_id LIKE 'subject-%'`;

/**
 * The figures of the history already in a PostgreSQL store, so that a store recorded before this
 * projection shows its whole history; each stream's revision is kept, so the feed, still behind,
 * counts only what comes after. A store elsewhere (KurrentDB) fills by a replay instead.
 */
const BACKFILL = `
DO $$
BEGIN
  IF to_regclass('ledger_events') IS NOT NULL THEN
    INSERT INTO ledger_purpose_subjects (purpose, subject_id)
    SELECT DISTINCT purpose, subject_id FROM (${STORED_PURPOSES}) s;
    INSERT INTO ledger_purpose_activity (purpose, events, subjects, last_at)
    SELECT purpose, count(*), count(DISTINCT subject_id), max(at) FROM (${STORED_PURPOSES}) s GROUP BY purpose;
    INSERT INTO ledger_seen_parties (kind, name, events, last_at)
    SELECT kind, name, count(*), max(at) FROM (
      SELECT CASE WHEN e.type = 'data.collected' THEN 'source' ELSE 'recipient' END AS kind,
             CASE WHEN e.type = 'data.collected' THEN e.meta->>'source' ELSE e.data->>'recipient' END AS name,
             COALESCE((e.meta->>'occurredAt')::timestamptz, e.recorded_at) AS at
      FROM ledger_events e
      WHERE e.stream_id LIKE 'subject-%' AND e.type IN ('data.collected', 'data.disclosed')) s
    WHERE name IS NOT NULL GROUP BY kind, name;
    INSERT INTO ledger_activity_streams (subject_id, revision)
    SELECT substr(stream_id, 9)::uuid, max(revision) FROM ledger_events WHERE stream_id LIKE 'subject-%' GROUP BY 1;
  END IF;
END $$;`;

/** Its own numbers in the subject-state module's migrations, beside the request register's. */
const ACTIVITY_MIGRATION_BASE = 300;

/**
 * The Art. 30 record's observed figures, kept as events arrive so that the record never scans the
 * streams: each purpose's event count, persons and latest event; and every source and recipient
 * system seen, which the record compares with the policy (so a policy change needs no rebuild).
 * Each person's stream is counted up to a revision kept beside the figures, so that a replay from
 * position 0 without a reset (the subject state's checkpoint deleted) does not count twice.
 */
export class ProcessingActivityProjection implements Projection {
  readonly name = 'processing-activity';
  readonly migrations: readonly Migration[] = [
    {
      version: ACTIVITY_MIGRATION_BASE + 1,
      description: 'processing activity: figures per purpose, and the systems seen',
      sql: `
        CREATE TABLE IF NOT EXISTS ledger_purpose_activity (
          purpose text PRIMARY KEY, events bigint NOT NULL, subjects bigint NOT NULL, last_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger_purpose_subjects (
          purpose text NOT NULL, subject_id uuid NOT NULL, PRIMARY KEY (purpose, subject_id));
        CREATE TABLE IF NOT EXISTS ledger_seen_parties (
          kind text NOT NULL CHECK (kind IN ('source', 'recipient')), name text NOT NULL,
          events bigint NOT NULL, last_at timestamptz NOT NULL, PRIMARY KEY (kind, name));
        CREATE TABLE IF NOT EXISTS ledger_activity_streams (subject_id uuid PRIMARY KEY, revision bigint NOT NULL);
        ${BACKFILL}`,
    },
  ];

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    const { purposes, parties } = summariseActivity(await this.notCounted(events, client));
    if (purposes.size > 0) await this.applyPurposes(purposes, client);
    if (parties.size === 0) return;
    const rows = [...parties.values()];
    await client.query(
      `INSERT INTO ledger_seen_parties (kind, name, events, last_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
       ON CONFLICT (kind, name) DO UPDATE SET events = ledger_seen_parties.events + EXCLUDED.events,
         last_at = GREATEST(ledger_seen_parties.last_at, EXCLUDED.last_at)`,
      [rows.map((r) => r.kind), rows.map((r) => r.name), rows.map((r) => r.events), rows.map((r) => r.lastAt)],
    );
  }

  /** The events of subject streams past the revision each stream has been counted to, which moves on. */
  private async notCounted(events: readonly StoredEvent[], client: PoolClient): Promise<StoredEvent[]> {
    const subjectEvents = events.filter((e) => isSubjectStream(e.streamId));
    if (subjectEvents.length === 0) return [];
    const ids = [...new Set(subjectEvents.map((e) => subjectIdOf(e.streamId)))];
    const { rows } = await client.query<{ subject_id: string; revision: string }>(
      'SELECT subject_id, revision FROM ledger_activity_streams WHERE subject_id = ANY($1::uuid[])',
      [ids],
    );
    const counted = new Map(rows.map((r) => [r.subject_id, Number(r.revision)]));
    const fresh = subjectEvents.filter((e) => e.revision > (counted.get(subjectIdOf(e.streamId).toLowerCase()) ?? -1));
    const reached = new Map(fresh.map((e) => [subjectIdOf(e.streamId), e.revision]));
    if (reached.size > 0) {
      await client.query(
        `INSERT INTO ledger_activity_streams (subject_id, revision)
         SELECT * FROM unnest($1::uuid[], $2::bigint[])
         ON CONFLICT (subject_id)
         DO UPDATE SET revision = GREATEST(ledger_activity_streams.revision, EXCLUDED.revision)`,
        [[...reached.keys()], [...reached.values()]],
      );
    }
    return fresh;
  }

  /** Persons are counted once per purpose: only the pairs not seen before add to `subjects`. */
  private async applyPurposes(purposes: ActivityBatch['purposes'], client: PoolClient): Promise<void> {
    const pairs = [...purposes].flatMap(([purpose, row]) => [...row.subjects].map((s) => [purpose, s] as const));
    const { rows: added } = await client.query<{ purpose: string }>(
      `INSERT INTO ledger_purpose_subjects (purpose, subject_id)
       SELECT * FROM unnest($1::text[], $2::uuid[]) ON CONFLICT DO NOTHING RETURNING purpose`,
      [pairs.map(([p]) => p), pairs.map(([, s]) => s)],
    );
    const ids = [...purposes.keys()];
    const newSubjects = ids.map((id) => added.filter((r) => r.purpose === id).length);
    await client.query(
      `INSERT INTO ledger_purpose_activity (purpose, events, subjects, last_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::timestamptz[])
       ON CONFLICT (purpose) DO UPDATE SET events = ledger_purpose_activity.events + EXCLUDED.events,
         subjects = ledger_purpose_activity.subjects + EXCLUDED.subjects,
         last_at = GREATEST(ledger_purpose_activity.last_at, EXCLUDED.last_at)`,
      [ids, ids.map((id) => purposes.get(id)!.events), newSubjects, ids.map((id) => purposes.get(id)!.lastAt)],
    );
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query(`TRUNCATE ${TABLES.join(', ')}`);
  }
}
