import { Query } from '@nestjs/cqrs';
import type { ReadContext } from '../subjects/subject.queries';

/** One entry of a purpose's consent history: what the person agreed to (or withdrew), when, by which channel. */
export interface ConsentRecord {
  readonly status: 'given' | 'withdrawn';
  readonly at: string;
  readonly policyVersion: string | null;
  /** The SHA-256 of that version's text, as the policy file lists it: the text the person saw. */
  readonly policyTextSha256: string | null;
  readonly channel: string;
  /** Opened for this logged read; null when none was given, or it was erased. */
  readonly evidence: string | null;
}

export interface ConsentProof {
  readonly subjectId: string;
  readonly purposes: Record<string, ConsentRecord[]>;
}

/** The proof of a person's consents (CONTRACT §8): every consent and withdrawal, oldest first. */
export class GetSubjectConsentsQuery extends Query<ConsentProof | null> {
  constructor(
    readonly subjectId: string,
    readonly context: ReadContext,
  ) {
    super();
  }
}
