import { BatchLoader, breathe } from '#ledger/common';
import { isSubjectStream, SUBJECT_STREAM_PREFIX, subjectIdOf } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import { copyInto, copyLine, type Pool, type PoolClient } from '#ledger/postgres';
import type { RebuildableProjection } from '../projection';
import { emptyStateView, foldIntoStateView, withRetention, type SubjectStateView } from './subject-state.view';

const TABLE = 'ledger_subject_state';
const tableDdl = (table: string) => `
  CREATE TABLE ${table} (
    subject_id       uuid NOT NULL,
    status           text NOT NULL,
    version          integer NOT NULL,
    last_activity_at timestamptz,
    retention_due_at timestamptz,
    view             json NOT NULL
  );`;
const indexDdl = (table: string) => `
  ALTER TABLE ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (subject_id);
  CREATE INDEX ${table}_retention ON ${table} (retention_due_at) WHERE status <> 'erased';`;

type Row = { subject_id: string; status: string; version: number; last_activity_at: string | null; retention_due_at: string | null; view: SubjectStateView };
const rowOf = (folded: SubjectStateView, retentionMonths: number): Row => {
  const view = withRetention(folded, retentionMonths);
  return {
    subject_id: view.subjectId,
    status: view.status,
    version: view.version,
    last_activity_at: view.lastActivityAt,
    retention_due_at: view.retentionDueAt,
    view,
  };
};
const COLUMNS = 'subject_id, status, version, last_activity_at, retention_due_at, view';

const rowLine = (row: Row): string =>
  copyLine([row.subject_id, row.status, row.version, row.last_activity_at, row.retention_due_at, JSON.stringify(row.view)]);

/** Each person's current state, one row per subject, written once per batch. */
export class SubjectStateProjection implements RebuildableProjection {
  readonly name = 'subject-state';
  readonly migrations = [{ version: 1, description: 'subject state: one row per subject', sql: tableDdl(TABLE) + indexDdl(TABLE) }];

  constructor(
    private readonly retentionMonths: number,
    readonly table: string = TABLE,
  ) {}

  withTable(table: string): SubjectStateProjection {
    return new SubjectStateProjection(this.retentionMonths, table);
  }

  ddl(table: string) {
    return { create: tableDdl(table), index: indexDdl(table) };
  }

  async renameIndexes(client: PoolClient, from: string, to: string): Promise<void> {
    await client.query(`ALTER TABLE ${to} RENAME CONSTRAINT ${from}_pkey TO ${to}_pkey`);
    await client.query(`ALTER INDEX ${from}_retention RENAME TO ${to}_retention`);
  }

  /** Whole streams, folded from nothing, each row written once (into an unindexed table). */
  async applyFresh(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    await this.write(client, await this.fold(new Map(), events), '');
  }

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    const subjects = [...new Set(events.filter((e) => isSubjectStream(e.streamId)).map((e) => subjectIdOf(e.streamId)))];
    if (subjects.length === 0) return;
    const { rows } = await client.query<{ view: SubjectStateView }>(`SELECT view FROM ${this.table} WHERE subject_id = ANY($1::uuid[])`, [
      subjects,
    ]);
    const views = new Map(rows.map((r) => [r.view.subjectId, r.view]));
    await this.write(
      client,
      await this.fold(views, events),
      `ON CONFLICT (subject_id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
         last_activity_at = EXCLUDED.last_activity_at, retention_due_at = EXCLUDED.retention_due_at, view = EXCLUDED.view`,
    );
  }

  /**
   * Folds the events into the views, in place: the views are this batch's own (new, or parsed
   * from their rows just now). An event a view already holds (a replay of a committed batch) is
   * skipped, never applied twice.
   */
  private async fold(views: Map<string, SubjectStateView>, events: readonly StoredEvent[]): Promise<Map<string, SubjectStateView>> {
    for (const event of events) {
      await breathe();
      if (!isSubjectStream(event.streamId)) continue;
      const subjectId = subjectIdOf(event.streamId);
      let view = views.get(subjectId);
      if (!view) views.set(subjectId, (view = emptyStateView(subjectId)));
      if (event.revision < view.version) continue;
      foldIntoStateView(view, event);
    }
    return views;
  }

  /**
   * Writes the views with COPY, the cheapest way into PostgreSQL (cheaper for the server than
   * INSERT … SELECT FROM json_to_recordset of the same rows): straight into a
   * fresh table, or through a temporary stage that is emptied at commit when rows may exist
   * (upsert). Runs inside the caller's transaction. Lines are built a row at a time, so that a
   * batch never holds the event loop long.
   */
  private async write(client: PoolClient, views: ReadonlyMap<string, SubjectStateView>, onConflict: string): Promise<void> {
    if (views.size === 0) return;
    const lines: string[] = [];
    for (const view of views.values()) {
      await breathe();
      lines.push(rowLine(rowOf(view, this.retentionMonths)));
    }
    if (!onConflict) {
      await copyInto(client, this.table, COLUMNS, lines);
      return;
    }
    // The stage lives as long as the connection; asked for every time, since a rolled-back
    // transaction takes its creation with it.
    const stage = `${this.table}_stage`;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${this.table}) ON COMMIT DELETE ROWS`);
    await copyInto(client, stage, COLUMNS, lines);
    await client.query(`INSERT INTO ${this.table} (${COLUMNS}) SELECT ${COLUMNS} FROM ${stage} ${onConflict}`);
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query(`TRUNCATE ${this.table}`);
  }
}

/** A subject's row as read, and its stream's last revision when the reader can tell (below). */
export interface StateRead {
  readonly view: SubjectStateView | null;
  /** The last revision of the subject's stream; absent when it has none, or the reader cannot tell. */
  readonly revision?: number;
}

/** Reads of the subject-state read model. */
export class SubjectStateReader {
  // Concurrent GETs share one statement.
  private readonly rows = new BatchLoader<string, StateRead>(async (subjectIds) => {
    const { rows } = await this.pool.query<{ subject_id: string; view: SubjectStateView | null; revision: number | null }>({
      name: this.lastRevisionSql ? 'ledger-subject-state-get-with-revision' : 'ledger-subject-state-get',
      text: `SELECT i.subject_id, s.view, ${this.lastRevisionSql ? this.lastRevisionSql(`'${SUBJECT_STREAM_PREFIX}' || i.subject_id`) : 'NULL::integer'} AS revision
             FROM unnest($1::uuid[]) AS i(subject_id) LEFT JOIN ledger_subject_state s ON s.subject_id = i.subject_id`,
      values: [subjectIds],
    });
    return new Map(rows.map((r) => [r.subject_id, r.revision === null ? { view: r.view } : { view: r.view, revision: r.revision }]));
  });

  /**
   * @param lastRevisionSql when the events are in the same database (the PostgreSQL store), the
   *   SQL for a stream's last revision: each read then also says, in the same statement, how far
   *   the subject's stream goes.
   */
  constructor(
    private readonly pool: Pool,
    private readonly lastRevisionSql?: (streamIdSql: string) => string,
  ) {}

  /** Whether each read also gives the subject's stream's last revision. */
  get tellsRevisions(): boolean {
    return this.lastRevisionSql !== undefined;
  }

  async get(subjectId: string): Promise<SubjectStateView | null> {
    return (await this.read(subjectId)).view;
  }

  async read(subjectId: string): Promise<StateRead> {
    return (await this.rows.load(subjectId)) ?? { view: null };
  }

  /**
   * Subjects not erased whose retention date is at or before `asOf`, after `afterSubjectId`, with
   * the version of the row that says so (the number of the subject's events it shows).
   */
  async dueForRetention(asOf: string, afterSubjectId: string | null, limit: number): Promise<Array<{ subjectId: string; retentionDueAt: string; version: number }>> {
    const { rows } = await this.pool.query<{ subject_id: string; retention_due_at: Date; version: number }>(
      `SELECT subject_id, retention_due_at, version FROM ledger_subject_state
       WHERE status <> 'erased' AND retention_due_at <= $1 AND subject_id > $2
       ORDER BY subject_id LIMIT $3`,
      [asOf, afterSubjectId ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map((r) => ({ subjectId: r.subject_id, retentionDueAt: r.retention_due_at.toISOString(), version: r.version }));
  }
}
