import { isSubjectStream, subjectIdOf } from '#ledger/domain';
import type { DocumentProjection, DocumentTable } from '../documents/document-projection';
import { PostgresDocumentProjection } from '../documents/postgres-document-projection';
import { emptyStateView, foldIntoStateView, withRetention, type SubjectStateView } from './subject-state.view';

/**
 * Each person's current state, one document per subject stream. The retention due date is
 * derived once per written document (`finish`): it depends on the last real use alone.
 */
export const subjectStateDocuments = (retentionMonths: number): DocumentProjection<SubjectStateView> => ({
  name: 'subject-state',
  canHandle: (event) => isSubjectStream(event.streamId),
  documentId: (event) => subjectIdOf(event.streamId),
  initialState: emptyStateView,
  evolve: (view, event) => {
    foldIntoStateView(view, event);
    return view;
  },
  version: (view) => view.version,
  finish: (view) => withRetention(view, retentionMonths),
});

/** The subject-state table: the view, and beside it what the retention sweep selects on. */
export const SUBJECT_STATE_TABLE: DocumentTable<SubjectStateView> = {
  name: 'ledger_subject_state',
  description: 'subject state: one row per subject',
  key: { name: 'subject_id', type: 'uuid' },
  columns: [
    { name: 'status', type: 'text NOT NULL', value: (view) => view.status },
    { name: 'version', type: 'integer NOT NULL', value: (view) => view.version },
    { name: 'last_activity_at', type: 'timestamptz', value: (view) => view.lastActivityAt },
    { name: 'retention_due_at', type: 'timestamptz', value: (view) => view.retentionDueAt },
  ],
  document: 'view',
  indexes: [{ suffix: 'retention', on: 'retention_due_at', where: `status <> 'erased'` }],
};

/** The subject-state projection as the service and the CLI run it: its declaration, written to PostgreSQL. */
export class SubjectStateProjection extends PostgresDocumentProjection<SubjectStateView> {
  constructor(retentionMonths: number) {
    super(subjectStateDocuments(retentionMonths), SUBJECT_STATE_TABLE);
  }
}
