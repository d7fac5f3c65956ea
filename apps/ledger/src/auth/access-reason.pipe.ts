import {
  applyDecorators,
  createParamDecorator,
  Inject,
  Injectable,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { InputValidationError } from '../http/errors';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../modules/tokens';

/** The longest `X-Access-Reason` kept: a reason, not a document. */
export const MAX_ACCESS_REASON = 200;
const PATH = 'X-Access-Reason';

/** The raw `X-Access-Reason` header, for AccessReasonPipe or ValuesAccessReasonPipe to check. */
export const AccessReason = createParamDecorator(
  (_: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-access-reason'],
);

/** The `X-Access-Reason` header in the OpenAPI document of a controller whose reads are logged. */
export const ApiAccessReason = () =>
  applyDecorators(
    ApiHeader({
      name: PATH,
      required: false,
      description:
        `Why the data is read, at most ${MAX_ACCESS_REASON} characters; kept in the access log. ` +
        'Required for a read of values when LEDGER_ACCESS_REASON=required',
    }),
  );

/** `X-Access-Reason`, when given, for a read that the access log records. */
@Injectable()
export class AccessReasonPipe implements PipeTransform<string | undefined, string | null> {
  transform(reason: string | undefined): string | null {
    if (reason === undefined || reason.trim() === '') return null;
    if (reason.length > MAX_ACCESS_REASON) {
      throw new InputValidationError([
        { path: PATH, message: `${PATH} must be at most ${MAX_ACCESS_REASON} characters` },
      ]);
    }
    return reason;
  }
}

/**
 * As AccessReasonPipe, for a read that returns a person's values: with LEDGER_ACCESS_REASON=required
 * it needs a reason (CONTRACT §6), so every such read can be justified afterwards.
 */
@Injectable()
export class ValuesAccessReasonPipe extends AccessReasonPipe {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {
    super();
  }

  override transform(value: string | undefined): string | null {
    const reason = super.transform(value);
    if (reason === null && this.config.LEDGER_ACCESS_REASON === 'required') {
      throw new InputValidationError(
        [{ path: PATH, message: `a read of a person's values needs ${PATH} (LEDGER_ACCESS_REASON=required)` }],
        'REASON_REQUIRED',
      );
    }
    return reason;
  }
}
