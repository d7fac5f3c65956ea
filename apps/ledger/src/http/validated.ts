import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InputValidationError } from './errors';

/**
 * A plain request body or query as an instance of its DTO class, checked by class-validator:
 * unknown properties are refused, and every problem is a 400 `validation` naming its property.
 */
export function validated<T extends object>(cls: new () => T, plain: unknown): T {
  const dto = plainToInstance(cls, plain ?? {}, { exposeDefaultValues: true });
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new InputValidationError(
      errors.map((e) => ({ path: e.property, message: Object.values(e.constraints ?? {}).join(', ') })),
    );
  }
  return dto;
}

/**
 * class-transformer's `@Transform` for a whole number in a query string: digits become a number,
 * anything else stays as it came, for class-validator to refuse by name.
 */
export const queryInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
