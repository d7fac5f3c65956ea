import type { ValidationDetail } from '#ledger/envelope';

/** Input that is not what the contract says: HTTP 400 with every problem by path. */
export class InputValidationError extends Error {
  constructor(readonly details: readonly ValidationDetail[]) {
    super('validation failed');
    this.name = 'InputValidationError';
  }
}
