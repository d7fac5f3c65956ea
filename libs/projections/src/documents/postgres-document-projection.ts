import { breathe } from '#ledger/common';
import type { StoredEvent } from '#ledger/event-store';
import { copyInto, type Migration, type PoolClient } from '#ledger/postgres';
import type { RebuildableProjection } from '../projection';
import type { DocumentProjection, DocumentTable } from './document-projection';
import { DocumentTableSql } from './document-table';

/**
 * The PostgreSQL writer of any document projection: it owns the table and its migrations, loads
 * the documents a batch touches, folds the batch with the declaration's `evolve`, and writes each
 * touched document once, by COPY, inside the runner's transaction (which also moves the
 * checkpoint). A rebuild (`rebuildProjection`) uses the same writer on a shadow table.
 */
export class PostgresDocumentProjection<Doc> implements RebuildableProjection {
  readonly migrations: readonly Migration[];
  private readonly sql: DocumentTableSql<Doc>;

  /**
   * @param table the table written; a rebuild's shadow is the same declaration under another name.
   *   @defaultValue the declared table's name
   */
  constructor(
    readonly projection: DocumentProjection<Doc>,
    readonly declaration: DocumentTable<Doc>,
    readonly table: string = declaration.name,
  ) {
    this.sql = new DocumentTableSql(declaration);
    const sql = this.sql.create(declaration.name) + '\n' + this.sql.index(declaration.name);
    this.migrations = [{ version: 1, description: declaration.description, sql }];
  }

  get name(): string {
    return this.projection.name;
  }

  /** The same projection written into another table of the same shape (a rebuild's shadow). */
  withTable(table: string): PostgresDocumentProjection<Doc> {
    return new PostgresDocumentProjection(this.projection, this.declaration, table);
  }

  async apply(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    const ids = new Set<string>();
    for (const event of events) if (this.projection.canHandle(event)) ids.add(this.projection.documentId(event));
    if (ids.size === 0) return;
    const { key, document } = this.declaration;
    // Each id comes back as the events write it, so that it finds its events' document in the map.
    const { rows } = await client.query<{ id: string; document: Doc }>(
      `SELECT i.id, t.${document} AS document FROM unnest($1::text[]) AS i(id)
       JOIN ${this.table} t ON t.${key.name} = i.id::${key.type}`,
      [[...ids]],
    );
    const documents = new Map(rows.map((r) => [r.id, r.document]));
    await this.upsert(client, await this.fold(documents, events));
  }

  /** Whole streams into an empty table (a rebuild's scan): each document folded from nothing, inserted once. */
  async applyFresh(events: readonly StoredEvent[], client: PoolClient): Promise<void> {
    const documents = await this.fold(new Map(), events);
    if (documents.size > 0) await copyInto(client, this.table, this.sql.columnList, await this.lines(documents));
  }

  async reset(client: PoolClient): Promise<void> {
    await client.query(`TRUNCATE ${this.table}`);
  }

  async createTable(client: PoolClient): Promise<void> {
    await client.query(`DROP TABLE IF EXISTS ${this.table}`);
    await client.query(this.sql.create(this.table));
  }

  async createIndexes(client: PoolClient): Promise<void> {
    await client.query(this.sql.index(this.table));
  }

  async replace(client: PoolClient, liveTable: string): Promise<void> {
    await client.query(`DROP TABLE IF EXISTS ${liveTable}`);
    await client.query(`ALTER TABLE ${this.table} RENAME TO ${liveTable}`);
    await client.query(this.sql.renameIndexes(this.table, liveTable));
  }

  /** Folds the events into the documents, which are this batch's own (new, or just parsed). */
  private async fold(documents: Map<string, Doc>, events: readonly StoredEvent[]): Promise<Map<string, Doc>> {
    const { projection } = this;
    for (const event of events) {
      await breathe();
      if (!projection.canHandle(event)) continue;
      const id = projection.documentId(event);
      const document = documents.get(id) ?? projection.initialState(id);
      if (event.revision < projection.version(document)) {
        documents.set(id, document);
        continue;
      }
      documents.set(id, projection.evolve(document, event));
    }
    return documents;
  }

  /** COPY text of the documents, a row at a time, so that a batch never holds the event loop long. */
  private async lines(documents: ReadonlyMap<string, Doc>): Promise<string[]> {
    const lines: string[] = [];
    for (const [id, document] of documents) {
      await breathe();
      lines.push(this.sql.rowLine(id, this.projection.finish ? this.projection.finish(document) : document));
    }
    return lines;
  }

  /**
   * COPY into a temporary stage, then one INSERT … ON CONFLICT from it: COPY is the cheapest way
   * in, and the stage lets rows that exist be updated. The stage lives as long as the connection
   * and is emptied at commit; it is asked for every time, since a rolled-back transaction takes
   * its creation with it.
   */
  private async upsert(client: PoolClient, documents: ReadonlyMap<string, Doc>): Promise<void> {
    if (documents.size === 0) return;
    const lines = await this.lines(documents);
    const stage = `${this.table}_stage`;
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (LIKE ${this.table}) ON COMMIT DELETE ROWS`);
    await copyInto(client, stage, this.sql.columnList, lines);
    const columns = this.sql.columnList;
    await client.query(`INSERT INTO ${this.table} (${columns}) SELECT ${columns} FROM ${stage} ${this.sql.upsert()}`);
  }
}
