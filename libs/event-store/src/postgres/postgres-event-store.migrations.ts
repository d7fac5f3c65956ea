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
  {
    version: 2,
    description:
      'event ids in generations: appends insert into a small open part of the index, sealed parts get Bloom filters',
    sql: `
      -- The idempotency key in generations (see EventIdGenerations): an append writes only into
      -- the open generation's part of the (generation, id) index; a sealed part is never written again.
      CREATE TABLE ledger_event_id_generations (
        generation   integer PRIMARY KEY CHECK (generation >= 0),
        -- The store's last position when the generation opened: it is sealed once the store has
        -- grown past this by a generation's size.
        opened_after bigint NOT NULL,
        sealed       boolean NOT NULL DEFAULT false,
        -- The Bloom filter of a sealed generation's ids, built once after sealing.
        bloom        bytea,
        -- Whether every id of the generation is in ledger_event_id_batches (false only for the
        -- events a store held before this migration): its filter is built from there.
        batched      boolean NOT NULL DEFAULT true,
        CHECK (bloom IS NULL OR sealed)
      );
      CREATE UNIQUE INDEX ledger_event_id_generations_one_open ON ledger_event_id_generations ((true)) WHERE NOT sealed;
      INSERT INTO ledger_event_id_generations (generation, opened_after, batched)
      SELECT 0, 0, NOT EXISTS (SELECT 1 FROM ledger_events);

      -- Each append's ids, one row per append, until the generation's filter is built: a few
      -- bytes an id to read then, instead of every event of the generation.
      CREATE TABLE ledger_event_id_batches (
        generation integer NOT NULL,
        ids        uuid[] NOT NULL
      );
      CREATE INDEX ledger_event_id_batches_generation ON ledger_event_id_batches (generation);

      -- A store migrated with events in it: they make generation 0, sealed at the next append.
      -- (A constant default is kept in the catalogue: no row is rewritten.)
      ALTER TABLE ledger_events ADD COLUMN id_generation integer NOT NULL DEFAULT 0;
      ALTER TABLE ledger_events
        ADD CONSTRAINT ledger_events_id_generation_event_id UNIQUE (id_generation, event_id);
      ALTER TABLE ledger_events DROP CONSTRAINT ledger_events_event_id;
    `,
  },
];
