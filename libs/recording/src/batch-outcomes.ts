import type { InboundEnvelope } from '#ledger/domain';
import { BatchRejected, type EnvelopeError } from './errors';

export type EnvelopeOutcome =
  | {
      readonly index: number;
      readonly id: string;
      readonly status: 'recorded' | 'duplicate';
      readonly subjectId: string;
    }
  | { readonly index: number; readonly id: string; readonly status: 'rejected'; readonly error: EnvelopeError };

/**
 * What became of each envelope of a batch, in batch order. An envelope repeated within the batch
 * shares the fate of its first occurrence, known only once that one is settled.
 */
export class BatchOutcomes {
  private readonly settled = new Map<number, EnvelopeOutcome>();
  /** Index of a repeat → index of the first envelope with its id. */
  private readonly repeats = new Map<number, number>();

  /** @param atomic true: the first rejection rejects the batch (throws BatchRejected). */
  constructor(
    private readonly envelopes: readonly InboundEnvelope[],
    private readonly atomic: boolean,
  ) {}

  reject(index: number, error: EnvelopeError): void {
    if (this.atomic) throw new BatchRejected(index, error);
    this.settled.set(index, { index, id: this.envelopes[index]!.id, status: 'rejected', error });
  }

  duplicate(index: number, subjectId: string): void {
    this.settled.set(index, { index, id: this.envelopes[index]!.id, status: 'duplicate', subjectId });
  }

  recorded(index: number, subjectId: string): void {
    this.settled.set(index, { index, id: this.envelopes[index]!.id, status: 'recorded', subjectId });
  }

  /** The same id and content as the envelope at `first`, earlier in the batch. */
  repeat(index: number, first: number): void {
    this.repeats.set(index, first);
  }

  list(): EnvelopeOutcome[] {
    return this.envelopes.map((_, index) => this.settled.get(index) ?? this.repeatOutcome(index));
  }

  private repeatOutcome(index: number): EnvelopeOutcome {
    const first = this.settled.get(this.repeats.get(index)!)!;
    return first.status === 'rejected'
      ? { ...first, index }
      : { index, id: first.id, status: 'duplicate', subjectId: first.subjectId };
  }
}
