import { isSubjectEventType, isSubjectStream, subjectIdOf, type SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { Migration } from '#ledger/postgres';
import type { DocumentProjection, DocumentTable } from '../documents/document-projection';
import { PostgresDocumentProjection } from '../documents/postgres-document-projection';
import {
  REQUEST_EVENT_TYPES,
  foldRequestEvent,
  type RequestView,
  type StoredOf,
} from '../subject-state/subject-state.view';

/**
 * One person's data-subject requests, for the DPO's register (CONTRACT §8). It holds no personal
 * value (ids, kinds, dates, outcomes), so it outlives the person's erasure as proof.
 */
export interface RequestRegisterRow {
  readonly subjectId: string;
  readonly requests: readonly RequestView[];
  readonly version: number;
}

type RequestEvent = StoredOf<
  'access.requested' | 'erasure.requested' | 'request.received' | 'request.extended' | 'request.answered'
>;

const isRequestEvent = (event: StoredEvent): event is RequestEvent =>
  REQUEST_EVENT_TYPES.has(event.type) && isSubjectEventType(event.type);

/** The register, one document per subject stream that has had a request. */
export const requestRegisterDocuments: DocumentProjection<RequestRegisterRow> = {
  name: 'request-register',
  canHandle: (event) => isSubjectStream(event.streamId) && isRequestEvent(event),
  documentId: (event) => subjectIdOf(event.streamId),
  initialState: (subjectId) => ({ subjectId, requests: [], version: 0 }),
  evolve: (row, event) => {
    const draft = { requests: row.requests };
    foldRequestEvent(draft, event as RequestEvent & SubjectEvent);
    return { subjectId: row.subjectId, requests: draft.requests, version: event.revision + 1 };
  },
  version: (row) => row.version,
};

const openDueDates = (row: RequestRegisterRow): string[] =>
  row.requests.filter((r) => r.status === 'open').map((r) => r.dueDate);

/** The register's table: the row, and what the DPO's queries and the overdue gauge select on. */
export const REQUEST_REGISTER_TABLE: DocumentTable<RequestRegisterRow> = {
  name: 'ledger_request_register',
  description: 'request register: the data-subject requests of each subject',
  key: { name: 'subject_id', type: 'uuid' },
  columns: [
    { name: 'open_count', type: 'integer NOT NULL', value: (row) => openDueDates(row).length },
    {
      name: 'answered_count',
      type: 'integer NOT NULL',
      value: (row) => row.requests.filter((r) => r.status === 'answered').length,
    },
    {
      name: 'earliest_open_due',
      type: 'date',
      value: (row) => openDueDates(row).sort()[0] ?? null,
    },
    { name: 'open_due_dates', type: 'date[] NOT NULL', value: (row) => `{${openDueDates(row).join(',')}}` },
  ],
  document: 'register_row',
  indexes: [{ suffix: 'open_due', on: 'earliest_open_due', where: 'earliest_open_due IS NOT NULL' }],
};

const REGISTER_MIGRATION_BASE = 100;

/**
 * The register as the service runs it, written to PostgreSQL. It rides with the subject state
 * (one composite, one module of migrations), so its migration takes a version of its own there; a
 * store recorded before it existed fills it by a rebuild of that projection.
 */
export class RequestRegisterProjection extends PostgresDocumentProjection<RequestRegisterRow> {
  constructor() {
    super(requestRegisterDocuments, REQUEST_REGISTER_TABLE);
    const renumbered = this.migrations.map((m) => ({ ...m, version: REGISTER_MIGRATION_BASE + m.version }));
    (this as { migrations: readonly Migration[] }).migrations = renumbered;
  }
}
