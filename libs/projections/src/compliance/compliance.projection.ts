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

/**
 * The compliance facts as the service keeps them, in PostgreSQL, on a checkpoint of their own: a
 * store that already holds history fills them from position 0, and no other read model replays.
 */
export class ComplianceProjection extends PostgresDocumentProjection<ComplianceRow> {
  constructor(retentionMonths: number) {
    super(complianceDocuments(retentionMonths), COMPLIANCE_TABLE);
  }
}
