import { BatchLoader } from '#ledger/common';
import { SUBJECT_STREAM_PREFIX } from '#ledger/domain';
import type { Pool } from '#ledger/postgres';
import type { SubjectStateView } from './subject-state.view';

/** A subject's row as read, and its stream's last revision when the reader can tell (below). */
export interface StateRead {
  readonly view: SubjectStateView | null;
  /** The last revision of the subject's stream; absent when it has none, or the reader cannot tell. */
  readonly revision?: number;
}

/** A legal hold as the sweep sees it: its id and when it ends, no reason (personal). */
export interface RetentionHold {
  readonly id: string;
  readonly until?: string;
}

/** Reads of the subject-state read model. */
export class SubjectStateReader {
  // Concurrent GETs share one statement.
  private readonly rows = new BatchLoader<string, StateRead>(async (subjectIds) => {
    const revisionSql = this.lastRevisionSql
      ? this.lastRevisionSql(`'${SUBJECT_STREAM_PREFIX}' || i.subject_id`)
      : 'NULL::integer';
    const { rows } = await this.pool.query<{
      subject_id: string;
      view: SubjectStateView | null;
      revision: number | null;
    }>({
      name: this.lastRevisionSql ? 'ledger-subject-state-get-with-revision' : 'ledger-subject-state-get',
      text: `SELECT i.subject_id, s.view, ${revisionSql} AS revision
             FROM unnest($1::uuid[]) AS i(subject_id)
             LEFT JOIN ledger_subject_state s ON s.subject_id = i.subject_id`,
      values: [subjectIds],
    });
    return new Map(
      rows.map((r) => [r.subject_id, r.revision === null ? { view: r.view } : { view: r.view, revision: r.revision }]),
    );
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
  async dueForRetention(
    asOf: string,
    afterSubjectId: string | null,
    limit: number,
  ): Promise<Array<{ subjectId: string; retentionDueAt: string; version: number; holds: RetentionHold[] }>> {
    const { rows } = await this.pool.query<{
      subject_id: string;
      retention_due_at: Date;
      version: number;
      holds: RetentionHold[] | null;
    }>(
      `SELECT subject_id, retention_due_at, version, view->'legalHolds' AS holds FROM ledger_subject_state
       WHERE status <> 'erased' AND retention_due_at <= $1 AND subject_id > $2
       ORDER BY subject_id LIMIT $3`,
      [asOf, afterSubjectId ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map((r) => ({
      subjectId: r.subject_id,
      retentionDueAt: r.retention_due_at.toISOString(),
      version: r.version,
      holds: (r.holds ?? []).map((h) => (h.until === undefined ? { id: h.id } : { id: h.id, until: h.until })),
    }));
  }
}
