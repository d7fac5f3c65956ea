import type { ValidationDetail } from '#ledger/envelope';

/** Input that is not what the contract says: HTTP 400 with every problem by path, and a code where one is stable. */
export class InputValidationError extends Error {
  constructor(
    readonly details: readonly ValidationDetail[],
    readonly code?: string,
  ) {
    super('validation failed');
    this.name = 'InputValidationError';
  }
}

/** A write sent to an instance that only serves reads (LEDGER_ROLE=read): HTTP 421, sent elsewhere. */
export class ReadOnlyInstanceError extends Error {
  readonly code = 'READ_ONLY_INSTANCE';
  constructor() {
    super('this instance only serves reads (LEDGER_ROLE=read); send writes to an instance with LEDGER_ROLE=all');
    this.name = 'ReadOnlyInstanceError';
  }
}

/**
 * The OpenID provider's discovery document or keys cannot be fetched, so a JWT can be neither
 * accepted nor refused: HTTP 503, retried later, as a store outage is.
 */
export class OidcUnavailableError extends Error {
  readonly code = 'OIDC_UNAVAILABLE';
  constructor() {
    super("the OpenID provider's keys cannot be fetched; retry, or use a static token");
    this.name = 'OidcUnavailableError';
  }
}
