import type { RuleViolation } from '#ledger/domain';

/** The same envelope id arrived with other content: never recorded, HTTP 409. */
export class IdReusedError extends Error {
  readonly code = 'ID_REUSED';
  constructor(readonly envelopeId: string) {
    super(`envelope id ${envelopeId} was recorded before with other content`);
    this.name = 'IdReusedError';
  }
}

export type EnvelopeError = RuleViolation | IdReusedError;

/** An all-or-nothing batch failed on one envelope: nothing of the batch was recorded. */
export class BatchRejected extends Error {
  constructor(
    readonly index: number,
    readonly error: EnvelopeError,
  ) {
    super(`envelope ${index}: ${error.message}`);
    this.name = 'BatchRejected';
  }
}
