import type { StoredEvent } from '#ledger/event-store';
import { personHistory } from '../access-answer/person-history';

/** The bases under which Art. 20(1)(a) gives the person their data back. */
const PORTABLE_BASES: ReadonlySet<string> = new Set(['consent', 'contract']);

export interface PortableField {
  readonly field: string;
  readonly value: string;
  readonly collectedAt: string;
}

/** The Art. 20 export (CONTRACT §9): what the person gave, keyed by field. */
export interface PortabilityExport {
  readonly subjectId: string;
  readonly exportedAt: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The values a person gave the controller themselves (`collectedFrom: subject`), held under
 * consent or a contract, from their opened events: not what a processor or another company
 * supplied, nor what is held on legitimate interest. Sorted by field; pure.
 */
export function portableFields(events: readonly StoredEvent[], retentionMonths: number): PortableField[] {
  const history = personHistory(events, retentionMonths);
  return Object.entries(history.state.data)
    .filter(([key, field]) => {
      const given = history.fields.get(key)?.collectedFrom === 'subject';
      return given && typeof field.value === 'string' && PORTABLE_BASES.has(field.lawfulBasis ?? '');
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([field, { value, collectedAt }]) => ({ field, value, collectedAt }));
}

export const portabilityExport = (
  subjectId: string,
  fields: readonly PortableField[],
  exportedAt: string,
): PortabilityExport => ({
  subjectId,
  exportedAt,
  fields: Object.fromEntries(fields.map((f) => [f.field, f.value])),
});

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break, its quotes doubled. */
const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** `field,value,collectedAt` as RFC 4180 has it: a header line, CRLF after every record. */
export const portabilityCsv = (fields: readonly PortableField[]): string =>
  [['field', 'value', 'collectedAt'], ...fields.map((f) => [f.field, f.value, f.collectedAt])]
    .map((record) => `${record.map(csvField).join(',')}\r\n`)
    .join('');
