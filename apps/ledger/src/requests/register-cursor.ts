import { ValidateBy } from 'class-validator';
import type { RegisterCursor } from '#ledger/projections';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A page's `next`: where it ended, opaque to the caller (base64url of JSON). */
export const writeCursor = ({ dueDate, requestId, subjectId }: RegisterCursor): string =>
  Buffer.from(JSON.stringify([dueDate, requestId, subjectId])).toString('base64url');

/** The cursor a `next` names, or undefined when it is not one this service wrote. */
export function readCursor(text: string): RegisterCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'string')) return undefined;
    const [dueDate, requestId, subjectId] = value as [string, string, string];
    if (!DATE.test(dueDate) || !UUID.test(subjectId) || requestId.length === 0) return undefined;
    return { dueDate, requestId, subjectId };
  } catch {
    return undefined;
  }
}

/** class-validator's check of an `after`: a cursor this service wrote. */
export const IsRegisterCursor = () =>
  ValidateBy({
    name: 'isRegisterCursor',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && readCursor(value) !== undefined,
      defaultMessage: () => "after must be a page's next cursor",
    },
  });
