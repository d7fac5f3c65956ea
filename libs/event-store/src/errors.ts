/**
 * A stream moved since it was read, or an event id already exists: re-read and decide again.
 * Every adapter turns its driver's own error (a unique violation, WrongExpectedVersionError)
 * into this one, in one place.
 */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamIds: readonly string[],
    detail: string,
  ) {
    super(`concurrent append: ${detail}`);
    this.name = 'ConcurrencyError';
  }
}

/** The store cannot be reached or failed: the caller may retry later; nothing was written. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`event store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}
