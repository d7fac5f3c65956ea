import type { Migration } from '#ledger/postgres';
import type { DocumentProjection, DocumentTable } from '../documents/document-projection';
import { PostgresDocumentProjection } from '../documents/postgres-document-projection';

/** Each breach has a stream of its own: its record, then its notifications. */
export const BREACH_STREAM_PREFIX = 'breach-';
export const breachStreamId = (breachId: string): string => `${BREACH_STREAM_PREFIX}${breachId}`;
export const isBreachStream = (streamId: string): boolean => streamId.startsWith(BREACH_STREAM_PREFIX);

/** What the DPO records of a breach (Art. 33(5)): it describes the breach, never a person. */
export interface BreachFacts {
  readonly id: string;
  readonly discoveredAt: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly nature: string;
  readonly systems: readonly string[];
  readonly categories: readonly string[];
  readonly consequences: string;
  readonly measures: string;
}

export type NotifiedParty = 'authority' | 'subjects';

export interface BreachNotification {
  readonly to: NotifiedParty;
  readonly at: string;
  readonly reference: string | null;
}

export interface BreachRow extends BreachFacts {
  readonly recordedAt: string;
  readonly notifications: readonly BreachNotification[];
  /** The earliest notification of the supervisory authority; null while there is none. */
  readonly authorityNotifiedAt: string | null;
  readonly version: number;
}

const earliest = (a: string | null, b: string): string => (a === null || Date.parse(b) < Date.parse(a) ? b : a);

/** The breach log, one document per breach stream. */
export const breachLogDocuments: DocumentProjection<BreachRow> = {
  name: 'breach-log',
  canHandle: (event) =>
    isBreachStream(event.streamId) && (event.type === 'breach.recorded' || event.type === 'breach.notified'),
  documentId: (event) => event.streamId.slice(BREACH_STREAM_PREFIX.length),
  initialState: (id) => ({
    id,
    discoveredAt: '',
    periodFrom: '',
    periodTo: '',
    nature: '',
    systems: [],
    categories: [],
    consequences: '',
    measures: '',
    recordedAt: '',
    notifications: [],
    authorityNotifiedAt: null,
    version: 0,
  }),
  evolve: (row, event) => {
    const version = event.revision + 1;
    if (event.type === 'breach.recorded') {
      const facts = event.data as unknown as BreachFacts;
      return { ...row, ...facts, id: row.id, recordedAt: event.recordedAt, version };
    }
    const notification = event.data as unknown as BreachNotification;
    return {
      ...row,
      notifications: [...row.notifications, notification],
      authorityNotifiedAt:
        notification.to === 'authority' ? earliest(row.authorityNotifiedAt, notification.at) : row.authorityNotifiedAt,
      version,
    };
  },
  version: (row) => row.version,
};

export const BREACH_LOG_TABLE: DocumentTable<BreachRow> = {
  name: 'ledger_breach_log',
  description: 'breach log (Art. 33(5)): each breach, its facts and its notifications',
  key: { name: 'breach_id', type: 'uuid' },
  columns: [{ name: 'discovered_at', type: 'timestamptz', value: (row) => row.discoveredAt || null }],
  document: 'breach_row',
  indexes: [],
};

const HOURS_72_MS = 72 * 3_600_000;

/**
 * Art. 33(1): the authority notified within 72 hours of discovery. null while it is not notified
 * and the 72 hours are still running; false once they ran out without it.
 */
export const notifiedWithin72h = (row: BreachRow, now: string): boolean | null => {
  const deadline = Date.parse(row.discoveredAt) + HOURS_72_MS;
  if (row.authorityNotifiedAt !== null) return Date.parse(row.authorityNotifiedAt) <= deadline;
  return Date.parse(now) > deadline ? false : null;
};

const BREACH_LOG_MIGRATION_BASE = 400;

/** The breach log as the service runs it: it rides with the subject state, under migrations of its own. */
export class BreachLogProjection extends PostgresDocumentProjection<BreachRow> {
  constructor() {
    super(breachLogDocuments, BREACH_LOG_TABLE);
    const renumbered = this.migrations.map((m) => ({ ...m, version: BREACH_LOG_MIGRATION_BASE + m.version }));
    (this as { migrations: readonly Migration[] }).migrations = renumbered;
  }
}
