import { isSubjectEventType, isSubjectStream, subjectIdOf, type SubjectEvent } from '#ledger/domain';
import type { StoredEvent } from '#ledger/event-store';
import type { Migration } from '#ledger/postgres';
import type { DocumentProjection, DocumentTable } from '../documents/document-projection';
import { DocumentTableSql } from '../documents/document-table';
import { PostgresDocumentProjection } from '../documents/postgres-document-projection';
import {
  REQUEST_EVENT_TYPES,
  foldRequestEvent,
  type RequestView,
  type StoredOf,
} from '../subject-state/subject-state.view';

/**
 * One data-subject request, for the DPO's register (CONTRACT §8). It holds no personal value
 * (ids, kinds, dates, outcomes), so it outlives the person's erasure as proof. A row per request,
 * not per person, so that a page of the register is a range of one index however long it grows.
 */
export interface RegisterRequestRow {
  readonly subjectId: string;
  /** Null while only a change of the request has been folded, not the event that opened it. */
  readonly request: RequestView | null;
  /** Events of the person's stream folded so far (the stream's revision after the last). */
  readonly version: number;
}

type RequestEvent = StoredOf<
  'access.requested' | 'erasure.requested' | 'request.received' | 'request.extended' | 'request.answered'
>;

/** An erasure the controller asks for itself (retention, a purpose ended) is no person's request. */
const isRequestEvent = (event: StoredEvent): event is RequestEvent =>
  REQUEST_EVENT_TYPES.has(event.type) &&
  isSubjectEventType(event.type) &&
  !(event.type === 'erasure.requested' && (event.data as { reason?: string }).reason !== 'subject-request');

/** A request id is the upstream's and unique per person only, so the row's key names both. */
export const registerKey = (subjectId: string, requestId: string): string => `${subjectId}/${requestId}`;

/** The register, one document per request of a subject stream. */
export const requestRegisterDocuments: DocumentProjection<RegisterRequestRow> = {
  name: 'request-register',
  canHandle: (event) => isSubjectStream(event.streamId) && isRequestEvent(event),
  documentId: (event) => registerKey(subjectIdOf(event.streamId), (event as RequestEvent).data.requestId),
  // A subject id is a UUID, so the key's first slash ends it.
  initialState: (key) => ({ subjectId: key.slice(0, key.indexOf('/')), request: null, version: 0 }),
  evolve: (row, event) => {
    const draft = { requests: row.request ? [row.request] : [] };
    foldRequestEvent(draft, event as RequestEvent & SubjectEvent);
    return { subjectId: row.subjectId, request: draft.requests[0] ?? null, version: event.revision + 1 };
  },
  version: (row) => row.version,
};

/**
 * The register's table: the row, and what the DPO's pages and the overdue gauge select and sort
 * on. The request id sorts bytewise, so that a page's cursor compares as its index orders.
 */
export const REQUEST_REGISTER_TABLE: DocumentTable<RegisterRequestRow> = {
  name: 'ledger_register_requests',
  description: 'request register: one row per data-subject request',
  key: { name: 'register_key', type: 'text' },
  columns: [
    { name: 'subject_id', type: 'uuid NOT NULL', value: (row) => row.subjectId },
    { name: 'request_id', type: 'text COLLATE "C"', value: (row) => row.request?.requestId ?? null },
    { name: 'kind', type: 'text', value: (row) => row.request?.kind ?? null },
    { name: 'status', type: 'text', value: (row) => row.request?.status ?? null },
    { name: 'due_date', type: 'date', value: (row) => row.request?.dueDate ?? null },
  ],
  document: 'register_row',
  indexes: [
    { suffix: 'due', on: 'due_date, request_id, subject_id', where: 'due_date IS NOT NULL' },
    { suffix: 'status_due', on: 'status, due_date, request_id, subject_id', where: 'due_date IS NOT NULL' },
  ],
};

const REGISTER_MIGRATION_BASE = 100;

/** The register's first shape, one row per person; kept so that a database's history stays true. */
const PER_PERSON_TABLE = `
  CREATE TABLE ledger_request_register (
    subject_id uuid NOT NULL,
    open_count integer NOT NULL,
    answered_count integer NOT NULL,
    earliest_open_due date,
    open_due_dates date[] NOT NULL,
    register_row json NOT NULL
  );
  ALTER TABLE ledger_request_register ADD CONSTRAINT ledger_request_register_pkey PRIMARY KEY (subject_id);
  CREATE INDEX ledger_request_register_open_due ON ledger_request_register (earliest_open_due)
    WHERE earliest_open_due IS NOT NULL;`;

/**
 * The per-request table, filled from the per-person rows in SQL: no rebuild, no event read again.
 * A request id opened twice keeps its first opening, as the fold does.
 */
function perRequestTable(): string {
  const sql = new DocumentTableSql(REQUEST_REGISTER_TABLE);
  const name = REQUEST_REGISTER_TABLE.name;
  return `${sql.create(name)}
  ${sql.index(name)}
  INSERT INTO ${name} (${sql.columnList})
  SELECT DISTINCT ON (1) t.subject_id::text || '/' || (r->>'requestId'), t.subject_id, r->>'requestId', r->>'kind',
         r->>'status', (r->>'dueDate')::date,
         json_build_object('subjectId', t.subject_id, 'request', r, 'version', (t.register_row->>'version')::int)
  FROM ledger_request_register t
  CROSS JOIN LATERAL json_array_elements(t.register_row->'requests') WITH ORDINALITY AS e(r, n)
  ORDER BY 1, e.n;
  DROP TABLE ledger_request_register;`;
}

/**
 * The register as the service runs it, written to PostgreSQL. It rides with the subject state
 * (one composite, one module of migrations), so its migrations take versions of their own there.
 */
export class RequestRegisterProjection extends PostgresDocumentProjection<RegisterRequestRow> {
  constructor() {
    super(requestRegisterDocuments, REQUEST_REGISTER_TABLE);
    const migrations: Migration[] = [
      {
        version: REGISTER_MIGRATION_BASE + 1,
        description: 'request register: the data-subject requests of each subject',
        sql: PER_PERSON_TABLE,
      },
      {
        version: REGISTER_MIGRATION_BASE + 2,
        description: 'request register: one row per request, paged by due date',
        sql: perRequestTable(),
      },
    ];
    (this as { migrations: readonly Migration[] }).migrations = migrations;
  }
}
