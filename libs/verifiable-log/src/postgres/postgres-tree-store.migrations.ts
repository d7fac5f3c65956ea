import { appendOnlySql, type Migration } from '#ledger/postgres';

export const TREE_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the verifiable log: leaves in log order, complete subtrees, signed checkpoints',
    sql: `
      CREATE TABLE ledger_tree_leaves (
        log_index  bigint PRIMARY KEY CHECK (log_index >= 0),
        kind       text NOT NULL CHECK (kind IN ('event', 'access')),
        -- The event id, or the access-log entry id: a replay of the same source appends nothing.
        source_id  text NOT NULL,
        leaf_hash  bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
        CONSTRAINT ledger_tree_leaves_source UNIQUE (kind, source_id)
      );
      -- Complete subtrees above the leaves (the leaves are level 0): written once, when the tree
      -- first holds all their leaves, so a proof reads a handful of rows whatever the tree's size.
      CREATE TABLE ledger_tree_nodes (
        level      smallint NOT NULL CHECK (level > 0),
        node_index bigint NOT NULL CHECK (node_index >= 0),
        hash       bytea NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, node_index)
      );
      CREATE TABLE ledger_tree_checkpoints (
        tree_size  bigint PRIMARY KEY CHECK (tree_size >= 0),
        root_hash  bytea NOT NULL CHECK (octet_length(root_hash) = 32),
        -- The C2SP signed note, exactly as served.
        note       text NOT NULL,
        signed_at  timestamptz NOT NULL DEFAULT now()
      );
      ${appendOnlySql('ledger_tree_leaves')}
      ${appendOnlySql('ledger_tree_nodes')}
      ${appendOnlySql('ledger_tree_checkpoints')}
    `,
  },
  {
    version: 2,
    description: 'the last access leaf found at once, however many event leaves follow it',
    // Without it the signer's resume point scanned every event leaf after the last access entry,
    // at every checkpoint interval: the whole table on a ledger nobody reads.
    sql: `CREATE INDEX ledger_tree_leaves_access ON ledger_tree_leaves (log_index) WHERE kind = 'access';`,
  },
  {
    version: 3,
    description:
      'leaf sources in generations: appends insert into a small open part of the index, sealed parts get Bloom filters',
    sql: `
      -- The sources' unique key in generations (see LeafGenerations): each generation is the range
      -- of log indexes from its first leaf to the next one's; a sealed one keeps its sources' filter.
      CREATE TABLE ledger_tree_leaf_generations (
        generation  integer PRIMARY KEY CHECK (generation >= 0),
        first_index bigint NOT NULL UNIQUE CHECK (first_index >= 0),
        filter      bytea
      );
      INSERT INTO ledger_tree_leaf_generations (generation, first_index) VALUES (0, 0);
      -- A constant default: the leaves already kept become generation 0 without a rewrite.
      ALTER TABLE ledger_tree_leaves ADD COLUMN generation integer NOT NULL DEFAULT 0;
      ALTER TABLE ledger_tree_leaves
        ADD CONSTRAINT ledger_tree_leaves_generation_source UNIQUE (generation, kind, source_id);
      ALTER TABLE ledger_tree_leaves DROP CONSTRAINT ledger_tree_leaves_source;
    `,
  },
];
