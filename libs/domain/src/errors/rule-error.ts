/**
 * The stable codes a rejected envelope carries (CONTRACT §1). Upstream systems branch on these,
 * so a code is never renamed; messages may change but never hold a personal value.
 */
export type RuleCode =
  | 'CONSENT_REQUIRED'
  | 'RESTRICTED'
  | 'OBJECTION_UPHELD'
  | 'UNKNOWN_PURPOSE'
  | 'UNKNOWN_CATEGORY'
  | 'LAWFUL_BASIS_MISMATCH'
  | 'SUBJECT_ERASED'
  | 'UNKNOWN_SUBJECT'
  | 'NO_SUCH_OBJECTION'
  | 'NO_SUCH_HOLD'
  | 'NO_SUCH_REQUEST'
  | 'EXTENSION_NOT_ALLOWED'
  | 'UNKNOWN_POLICY_VERSION';

/** A rule of the policy or of the GDPR forbids what the envelope asks. HTTP 422, Kafka dead letter. */
export class RuleViolation extends Error {
  constructor(
    readonly code: RuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'RuleViolation';
  }
}
