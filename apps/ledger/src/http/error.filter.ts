import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { SealedValueMisplaced } from '#ledger/crypto';
import { RuleViolation } from '#ledger/domain';
import { StoreUnavailableError } from '#ledger/event-store';
import { isTransientFault, safeErrorSummary } from '#ledger/postgres';
import { BatchRejected, IdReusedError } from '#ledger/recording';
import { InputValidationError, OidcUnavailableError, ReadOnlyInstanceError } from './errors';

interface Reply {
  status(code: number): Reply;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

const NAMES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'too_large',
  429: 'rate_limited',
};

/** Names the limit (the parser's error carries it in bytes), so a sender knows what to split to. */
const tooLarge = (limit?: number) => ({
  error: 'too_large',
  message: `the body is larger than LEDGER_BODY_LIMIT${limit ? ` (${limit} bytes)` : ''}`,
});

const UNAVAILABLE: [number, object] = [503, { error: 'unavailable', message: 'the event store is unavailable; retry' }];

/**
 * The one place errors become HTTP answers (codes are stable: upstream systems branch on them).
 * No answer quotes input: a body-parser message can hold a slice of the body, a driver message a
 * row, so only our own messages, which are written without values, are passed on.
 */
@Catch()
export class LedgerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
    const [status, body] = this.answer(error);
    if (status === 503) reply.setHeader('Retry-After', '5');
    reply.status(status).json(body);
  }

  private answer(error: unknown): [number, object] {
    if (error instanceof InputValidationError)
      return [400, { error: 'validation', ...(error.code && { code: error.code }), details: error.details }];
    if (error instanceof BatchRejected) {
      const at = `events[${error.index}]`;
      if (error.error instanceof IdReusedError) {
        return [
          409,
          { error: 'conflict', code: error.error.code, message: `${at}: ${error.error.message}`, index: error.index },
        ];
      }
      return [
        422,
        { error: 'rule', code: error.error.code, message: `${at}: ${error.error.message}`, index: error.index },
      ];
    }
    // An id reused outside a batch of envelopes (a breach record): the same 409 an envelope gets.
    if (error instanceof IdReusedError) return [409, { error: 'conflict', code: error.code, message: error.message }];
    if (error instanceof RuleViolation) return [422, { error: 'rule', code: error.code, message: error.message }];
    if (error instanceof ReadOnlyInstanceError)
      return [421, { error: 'misdirected', code: error.code, message: error.message }];
    if (error instanceof SealedValueMisplaced) {
      // Its message names the subject and the place only: it may be logged and answered as it is.
      this.logger.error(`${error.code}: ${error.message}`);
      return [500, { error: 'integrity', code: error.code, message: error.message }];
    }
    if (error instanceof StoreUnavailableError) return UNAVAILABLE;
    if (error instanceof OidcUnavailableError)
      return [503, { error: 'unavailable', code: error.code, message: error.message }];
    const parserType = (error as { type?: string }).type;
    if (parserType === 'entity.parse.failed') {
      return [400, { error: 'validation', details: [{ path: '(body)', message: 'the body is not valid JSON' }] }];
    }
    if (parserType === 'entity.too.large') return [413, tooLarge((error as { limit?: number }).limit)];
    if (error instanceof HttpException) {
      const status = error.getStatus();
      // Nest's own 400s come from the body parser, whose message quotes the body: say less.
      if (status === 400)
        return [400, { error: 'validation', details: [{ path: '(body)', message: 'the body is not valid JSON' }] }];
      if (status === 413) return [413, tooLarge((error.cause as { limit?: number } | undefined)?.limit)];
      const response = error.getResponse();
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return [
        status,
        { error: NAMES[status] ?? 'http', message: typeof message === 'string' ? message : error.message },
      ];
    }
    // A raw driver error from the keyring or the subject directory is an outage of the store too.
    if (isTransientFault(error)) return UNAVAILABLE;
    this.logger.error(`unexpected error: ${safeErrorSummary(error)}`);
    return [500, { error: 'internal', message: 'internal error; it has been logged without its details' }];
  }
}
