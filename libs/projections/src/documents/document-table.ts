import { copyLine } from '#ledger/postgres';
import type { DocumentTable } from './document-projection';

/** The SQL of a declared document table, under any name (the live one, or a rebuild's shadow). */
export class DocumentTableSql<Doc> {
  /** Every column in table order: the key, the declared columns, the document. */
  readonly columnList: string;

  constructor(private readonly table: DocumentTable<Doc>) {
    this.columnList = [table.key.name, ...table.columns.map((c) => c.name), table.document].join(', ');
  }

  /** The table without its indexes: a rebuild fills it first and indexes it once, afterwards. */
  create(name: string): string {
    const { key, columns, document } = this.table;
    const lines = [
      `${key.name} ${key.type} NOT NULL`,
      ...columns.map((c) => `${c.name} ${c.type}`),
      `${document} json NOT NULL`,
    ];
    return `CREATE TABLE ${name} (\n  ${lines.join(',\n  ')}\n);`;
  }

  /** The primary key on the document id and the declared indexes. */
  index(name: string): string {
    const primary = `ALTER TABLE ${name} ADD CONSTRAINT ${name}_pkey PRIMARY KEY (${this.table.key.name});`;
    const secondary = this.table.indexes.map(
      (i) => `CREATE INDEX ${name}_${i.suffix} ON ${name} (${i.on})${i.where ? ` WHERE ${i.where}` : ''};`,
    );
    return [primary, ...secondary].join('\n');
  }

  /** Gives a shadow's indexes the live table's names once it has taken the live table's place. */
  renameIndexes(from: string, to: string): string {
    const primary = `ALTER TABLE ${to} RENAME CONSTRAINT ${from}_pkey TO ${to}_pkey;`;
    const secondary = this.table.indexes.map((i) => `ALTER INDEX ${from}_${i.suffix} RENAME TO ${to}_${i.suffix};`);
    return [primary, ...secondary].join('\n');
  }

  /** What an upsert sets from the incoming row: every column but the key. */
  upsert(): string {
    const set = [...this.table.columns.map((c) => c.name), this.table.document].map((c) => `${c} = EXCLUDED.${c}`);
    return `ON CONFLICT (${this.table.key.name}) DO UPDATE SET ${set.join(', ')}`;
  }

  /** The document's row as one line of COPY text. */
  rowLine(id: string, document: Doc): string {
    return copyLine([id, ...this.table.columns.map((c) => c.value(document)), JSON.stringify(document)]);
  }
}
