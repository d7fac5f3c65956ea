import type { StoredEvent } from '#ledger/event-store';

/**
 * A read model of documents fed by one stream each, declared as data: which events it reads, the document
 * it starts from, and how an event changes it. No I/O and no clock, so its fold is tested without
 * a database (`documentSpecification`), and one writer (`PostgresDocumentProjection`) stores any of them.
 *
 * `evolve` may change the document it is given and return it: the writer only ever hands it a
 * document of its own (new, or parsed from its row just now), and a replay folds too many events
 * to copy a document per event.
 */
export interface DocumentProjection<Doc> {
  /** The projection's name: its checkpoint, its lock, its migrations. */
  readonly name: string;
  /** Whether the event folds into a document; the writer passes the others by. */
  canHandle(event: StoredEvent): boolean;
  /**
   * The id of the document the event folds into: one per stream, or several per stream (one per
   * request of a person), but never one fed by two streams, since `version` counts in revisions.
   */
  documentId(event: StoredEvent): string;
  initialState(documentId: string): Doc;
  evolve(document: Doc, event: StoredEvent): Doc;
  /**
   * How many events of its stream the document holds. An event below it is already in the
   * document (a batch applied again after a crash) and is not folded twice.
   */
  version(document: Doc): number;
  /** What depends on the whole fold, derived once per written document rather than once per event. */
  finish?(document: Doc): Doc;
}

/** A column the read side filters or sorts on, copied out of the document on every write. */
export interface DocumentColumn<Doc> {
  readonly name: string;
  /** Its SQL type, with `NOT NULL` when it has one. */
  readonly type: string;
  readonly value: (document: Doc) => string | number | null;
}

/**
 * Where a document projection is stored: one row per document, its id as primary key, the
 * document as JSON, and the columns queries need beside it. The writer's first migration creates
 * the table from this declaration; a database that ran it keeps its table, so a later change of
 * shape needs a migration of its own, not only an edit here.
 */
export interface DocumentTable<Doc> {
  readonly name: string;
  /** Told in the migration that creates the table. */
  readonly description: string;
  readonly key: { readonly name: string; readonly type: 'uuid' | 'text' };
  readonly columns: ReadonlyArray<DocumentColumn<Doc>>;
  /** The column that holds the whole document. */
  readonly document: string;
  /** Secondary indexes, named `<table>_<suffix>`; `on` and `where` are SQL. */
  readonly indexes: ReadonlyArray<{ readonly suffix: string; readonly on: string; readonly where?: string }>;
}
