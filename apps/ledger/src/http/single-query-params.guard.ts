import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { InputValidationError } from './errors';

/** A parameter's name is shown only when it has a name's shape: a name is input too. */
const NAMED = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/**
 * Every query parameter at most once, as text (CONTRACT §5): `?ref=a&ref=b` parses to an array,
 * which no route expects and which must not reach a query as a value of another type.
 */
@Injectable()
export class SingleQueryParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
    for (const [name, value] of Object.entries(query)) {
      if (typeof value !== 'string') {
        throw new InputValidationError([
          { path: NAMED.test(name) ? name : '(query)', message: 'a query parameter must be given once, as text' },
        ]);
      }
    }
    return true;
  }
}
