import { ValidationTypes, validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { InboundEnvelope } from '#ledger/domain';
import { DATA_DTO } from './data.dto';
import { EnvelopeDto, SubjectAddressDto } from './envelope.dto';
import { inputLimitProblem, normalizeRef, refProblem, shownKey } from './input-limits';

/**
 * Every envelope is validated with these, built once: no field that no decorator names, no object
 * of a class without decorators; the errors keep neither the object nor the value, which only the
 * caller's input holds (a value may be personal data).
 */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/**
 * The raw object as an instance of its DTO class, for class-validator: a shallow copy onto the
 * prototype, and the nested subject likewise (plainToInstance's deep copy weighs on ingestion).
 */
const asInstance = <T extends object>(cls: new () => T, raw: object): T =>
  Object.assign(Object.create(cls.prototype) as T, raw);

/** One problem with an input, by its path (`events[3].data.purpose`). Never quotes the value. */
export interface ValidationDetail {
  readonly path: string;
  readonly message: string;
}

export type EnvelopeCheck = { readonly envelope: InboundEnvelope } | { readonly details: readonly ValidationDetail[] };

function flatten(errors: readonly ValidationError[], prefix: string, out: ValidationDetail[]): void {
  for (const error of errors) {
    const property = shownKey(error.property);
    const path = prefix ? `${prefix}.${property}` : property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      // class-validator messages name the property and the rule, never the rejected value; an
      // unknown property is input, shown only by shownKey.
      out.push({ path, message: rule === ValidationTypes.WHITELIST ? `unknown field ${property}` : message });
    }
    if (error.children?.length) flatten(error.children, path, out);
  }
}

/**
 * Checks one raw envelope (a parsed JSON value from HTTP or Kafka: the same code for both) and
 * returns it typed, or every problem with its path.
 */
export function validateEnvelope(input: unknown, prefix = ''): EnvelopeCheck {
  const at = (path: string) => (prefix ? `${prefix}.${path}` : path);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { details: [{ path: prefix || '(body)', message: 'an envelope must be a JSON object' }] };
  }
  let raw: object = input;
  const limit = inputLimitProblem(raw, prefix);
  if (limit) return { details: [limit] };
  let subject = (raw as { subject?: unknown }).subject;
  const ref = typeof subject === 'object' && subject !== null ? (subject as { ref?: unknown }).ref : undefined;
  if (typeof ref === 'string') {
    const problem = refProblem(ref);
    if (problem) return { details: [{ path: at('subject.ref'), message: problem }] };
    // Refs are compared in NFC; the input itself is left as it came (dead letters carry it).
    const normalized = normalizeRef(ref);
    if (normalized !== ref) raw = { ...raw, subject: (subject = { ...(subject as object), ref: normalized }) };
  }
  const dtos = asDtos(raw, subject);
  const details: ValidationDetail[] = [];
  flatten(validateSync(dtos.envelope, VALIDATOR_OPTIONS), prefix, details);
  if (dtos.data) flatten(validateSync(dtos.data, VALIDATOR_OPTIONS), at('data'), details);
  return details.length > 0 ? { details } : { envelope: withLowercaseIds(raw as InboundEnvelope) };
}

const isRecord = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The envelope, its subject and its `data` as DTO instances for class-validator. `data` is
 * checked on its own only when it is an object and the type names its class; otherwise the
 * envelope's own rules (`type`, `data` an object) say what is wrong.
 */
function asDtos(raw: object, subject: unknown): { readonly envelope: EnvelopeDto; readonly data?: object } {
  const subjectDto = isRecord(subject) ? asInstance(SubjectAddressDto, subject) : subject;
  const envelope = asInstance(EnvelopeDto, { ...raw, subject: subjectDto });
  const dataClass: (new () => object) | undefined = DATA_DTO[(raw as { type?: string }).type as keyof typeof DATA_DTO];
  const data = (raw as { data?: unknown }).data;
  return { envelope, data: dataClass && isRecord(data) ? asInstance(dataClass, data) : undefined };
}

const UPPER = /[A-F]/;
const lowerIn = (object: object, keys: readonly string[]): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...object };
  for (const key of keys) if (typeof copy[key] === 'string') copy[key] = (copy[key] as string).toLowerCase();
  return copy;
};

/**
 * UUIDs in one form, lowercase (as PostgreSQL stores them): `A1B2…` and `a1b2…` are the same
 * id, so an envelope resent with its id in capitals is a duplicate, not a new record, and an
 * objection or hold named in capitals is found.
 */
function withLowercaseIds(envelope: InboundEnvelope): InboundEnvelope {
  const { id, correlationId, causationId, subject } = envelope;
  const data = envelope.data as { objectionId?: string; holdId?: string };
  const ids = [id, correlationId, causationId, subject.id, data.objectionId, data.holdId];
  if (!ids.some((v) => v !== undefined && UPPER.test(v))) return envelope;
  return {
    ...lowerIn(envelope, ['id', 'correlationId', 'causationId']),
    subject: lowerIn(subject, ['id']),
    data: lowerIn(data, ['objectionId', 'holdId']),
  } as InboundEnvelope;
}
