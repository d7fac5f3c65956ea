import { ValidationTypes, getMetadataStorage, type ValidationArguments, type ValidatorOptions } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * The options every envelope is validated with: no field that no decorator names, no object of
 * a class without decorators. `passesValidation` answers for exactly these options.
 */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const satisfies ValidatorOptions;

/** One decorated property's rules, resolved once per class. */
interface PropertyPlan {
  readonly name: string;
  /** `@IsOptional`, `@ValidateIf`: the property is checked only when every condition holds. */
  readonly conditions: ReadonlyArray<(object: object, value: unknown) => boolean>;
  readonly rules: readonly Rule[];
  readonly nested: boolean;
}

interface Rule {
  readonly metadata: ValidationMetadata;
  readonly validators: ReadonlyArray<(value: unknown, args: ValidationArguments) => unknown>;
}

type Check = (object: object) => boolean;

const KNOWN = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
  ValidationTypes.IS_DEFINED,
]);

const plans = new WeakMap<Function, Check>();
const never: Check = () => false;

/**
 * Whether class-validator's `validateSync(object, VALIDATOR_OPTIONS)` would find nothing wrong,
 * decided by the same decorators' metadata and the same constraint instances, without the
 * per-call work around them (looking the metadata up, grouping it, building an error object for
 * every property), which weighs on ingestion when every envelope of a large batch is valid.
 *
 * It answers `true` only where class-validator finds no error; wherever it is unsure (a kind of
 * rule it does not know, a validator that answers with a promise) it answers `false`, and the
 * caller asks class-validator itself, which also gives the details of what is wrong. A test holds
 * the two to the same answers over valid and broken envelopes of every type.
 */
export function passesValidation(object: object): boolean {
  return checkFor(object.constructor)(object);
}

function checkFor(target: Function | undefined): Check {
  if (typeof target !== 'function') return never;
  let check = plans.get(target);
  if (!check) {
    check = compile(target);
    plans.set(target, check);
  }
  return check;
}

function compile(target: Function): Check {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false, undefined as unknown as string[]);
  // forbidUnknownValues: an object of a class without rules is an error.
  if (metadatas.length === 0 || metadatas.some((m) => !KNOWN.has(m.type))) return never;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = Object.entries(grouped).map(([name, list]) => ({
    name,
    conditions: list.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.constraints[0] as (o: object, v: unknown) => boolean),
    rules: list
      .filter((m) => m.type === ValidationTypes.IS_DEFINED || m.type === ValidationTypes.CUSTOM_VALIDATION)
      .map((metadata) => ({
        metadata,
        // Async constraints are ignored by validateSync, so here too.
        validators: storage
          .getTargetValidatorConstraints(metadata.constraintCls)
          .filter((c) => !c.async)
          .map((c) => {
            const instance = c.instance;
            return (value: unknown, args: ValidationArguments) => instance.validate(value, args);
          }),
      })),
    nested: list.some((m) => m.type === ValidationTypes.NESTED_VALIDATION),
  }));
  const allowed = new Set(Object.keys(grouped));
  const targetName = target.name;

  return (object) => {
    // whitelist + forbidNonWhitelisted: a field no decorator names is an error.
    for (const key of Object.keys(object)) if (!allowed.has(key)) return false;
    for (const property of properties) {
      const value = (object as Record<string, unknown>)[property.name];
      let applies = true;
      for (const condition of property.conditions) applies = condition(object, value) && applies;
      if (!applies) continue;
      for (const { metadata, validators } of property.rules) {
        if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
        const args: ValidationArguments = { targetName, property: metadata.propertyName, object, value, constraints: metadata.constraints };
        const items = metadata.each && (Array.isArray(value) || value instanceof Set || value instanceof Map) ? toArray(value) : null;
        for (const validate of validators) {
          if (items === null) {
            if (!isTrue(validate(value, args))) return false;
          } else {
            for (const item of items) if (!isTrue(validate(item, args))) return false;
          }
        }
      }
      if (property.nested && !nestedPasses(value)) return false;
    }
    return true;
  };
}

/** `@ValidateNested`: each element of an array, or the object by its own class's rules. */
function nestedPasses(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value) || value instanceof Set || value instanceof Map) return toArray(value).every(nestedPasses);
  if (value instanceof Object) return checkFor(value.constructor)(value);
  return false;
}

const toArray = (value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] =>
  value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];

/** A validator's answer; a promise is not an answer here (class-validator is asked instead). */
const isTrue = (answer: unknown): boolean => Boolean(answer) && !(answer instanceof Promise);
