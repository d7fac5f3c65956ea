import {
  evolveComplianceFacts,
  holdsUntil,
  initialComplianceFacts,
  isSubjectEventType,
  isSubjectStream,
  retentionDueAt,
  subjectIdOf,
  type ComplianceFacts,
  type SubjectEvent,
} from '#ledger/domain';
import type { Migration } from '#ledger/postgres';
import type { DocumentProjection, DocumentTable } from '../documents/document-projection';
import { PostgresDocumentProjection } from '../documents/postgres-document-projection';

/**
 * One person's compliance facts (`ComplianceFacts`, folded by the domain's rule), with the
 * retention due date the policy gives them. No personal value: it outlives the person's erasure.
 */
export interface ComplianceRow extends ComplianceFacts {
  readonly subjectId: string;
  readonly retentionDueAt: string | null;
  readonly version: number;
}

/** The compliance read model: one document per subject stream, every subject event folded. */
export const complianceDocuments = (retentionMonths: number): DocumentProjection<ComplianceRow> => ({
  name: 'compliance',
  canHandle: (event) => isSubjectStream(event.streamId) && isSubjectEventType(event.type),
  documentId: (event) => subjectIdOf(event.streamId),
  initialState: (subjectId) => ({ ...initialComplianceFacts, subjectId, retentionDueAt: null, version: 0 }),
  evolve: (row, event) => {
    const times = { occurredAt: event.meta.occurredAt, recordedAt: event.recordedAt };
    const facts = evolveComplianceFacts(row, event as typeof event & SubjectEvent, times);
    return { ...facts, subjectId: row.subjectId, retentionDueAt: row.retentionDueAt, version: event.revision + 1 };
  },
  version: (row) => row.version,
  finish: (row) => ({ ...row, retentionDueAt: retentionDueAt(row, retentionMonths) }),
});

const count = (name: string, value: (row: ComplianceRow) => number) => ({ name, type: 'integer NOT NULL', value });

/**
 * The table, with beside each row what the checks count on: a column per clock-free violation
 * count, and the dates the clock-dependent checks compare with the moment asked about. Each
 * column is indexed only where it can make a person fail, so a count reads the few who do.
 */
export const COMPLIANCE_TABLE: DocumentTable<ComplianceRow> = {
  name: 'ledger_compliance',
  description: 'compliance: the facts the compliance checks count, per subject',
  key: { name: 'subject_id', type: 'uuid' },
  columns: [
    count('uses_after_withdrawal', (row) => row.usesAfterWithdrawal),
    count('processed_while_restricted', (row) => row.processedWhileRestricted),
    count('late_answers', (row) => row.lateAnswers),
    { name: 'earliest_open_due', type: 'date', value: (row) => Object.values(row.openRequests).sort()[0] ?? null },
    { name: 'retention_due_at', type: 'timestamptz', value: (row) => row.retentionDueAt },
    { name: 'holds_until', type: 'timestamptz', value: (row) => holdsUntil(row) },
    {
      name: 'first_erasure_at',
      type: 'timestamptz',
      value: (row) => row.erasures.map((e) => e.at).sort()[0] ?? null,
    },
  ],
  document: 'facts',
  indexes: [
    { suffix: 'withdrawal', on: 'subject_id', where: 'uses_after_withdrawal > 0' },
    { suffix: 'restricted', on: 'subject_id', where: 'processed_while_restricted > 0' },
    { suffix: 'late', on: 'subject_id', where: 'late_answers > 0' },
    { suffix: 'open_due', on: 'earliest_open_due', where: 'earliest_open_due IS NOT NULL' },
    { suffix: 'retention', on: 'retention_due_at', where: 'retention_due_at IS NOT NULL' },
    { suffix: 'erasure', on: 'first_erasure_at', where: 'first_erasure_at IS NOT NULL' },
  ],
};

const COMPLIANCE_MIGRATION_BASE = 500;

/**
 * A store that already holds history has its read models past it: the composite this rides in is
 * sent back to position 0 (a replay its parts are built to take), so the new table folds every
 * stream from its start rather than only what follows.
 */
const REPLAY_FROM_START = `
DO $$
BEGIN
  IF to_regclass('ledger_projections') IS NOT NULL THEN
    UPDATE ledger_projections SET checkpoint = NULL, updated_at = now()
     WHERE name = 'subject-state' AND checkpoint IS NOT NULL;
  END IF;
END $$;`;

/**
 * The compliance facts as the service keeps them, in PostgreSQL, riding with the subject state
 * (one composite, one module of migrations) under migration versions of their own.
 */
export class ComplianceProjection extends PostgresDocumentProjection<ComplianceRow> {
  constructor(retentionMonths: number) {
    super(complianceDocuments(retentionMonths), COMPLIANCE_TABLE);
    const renumbered = this.migrations.map((m) => ({
      ...m,
      version: COMPLIANCE_MIGRATION_BASE + m.version,
      sql: `${m.sql}\n${REPLAY_FROM_START}`,
    }));
    (this as { migrations: readonly Migration[] }).migrations = renumbered;
  }
}
