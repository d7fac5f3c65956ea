import { appendOnlySql, type Migration } from '#ledger/postgres';

export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events: one row per event, streams by id, a global feed by (transaction, position)',
    sql: `
      CREATE TABLE ledger_events (
        position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- The writing transaction: the feed reads in (tx_id, position) order and stops below the
        -- oldest running transaction, so an event committed late is never skipped.
        tx_id         xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_id     text NOT NULL,
        revision      integer NOT NULL CHECK (revision >= 0),
        event_id      uuid NOT NULL,
        type          text NOT NULL,
        -- json, not jsonb: stored as written, and cheaper to insert; the
        -- ledger reads whole events, it never queries inside them.
        data          json NOT NULL,
        personal      json,
        meta          json NOT NULL,
        recorded_at   timestamptz NOT NULL,
        hash          text NOT NULL,
        previous_hash text,
        CONSTRAINT ledger_events_stream_revision UNIQUE (stream_id, revision),
        CONSTRAINT ledger_events_event_id UNIQUE (event_id)
      );
      CREATE INDEX ledger_events_feed ON ledger_events (tx_id, position);

      -- The trail is evidence: rows are never changed or removed through the ledger's own role.
      -- (Erasure destroys keys, never rows.) A superuser can still disable this; verify finds it.
      ${appendOnlySql('ledger_events')}
    `,
  },
];
