/**
 * The ledger's view of Kafka, so the client library can be swapped: only `kafkajs/` imports it.
 */

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** A message refused with a stable code, the reason (paths and rules, never values) beside it. */
export interface Refusal {
  readonly message: InboundMessage;
  readonly code: string;
  readonly reason: string;
}

/**
 * A refusal as it goes to `<topic>.dlq`: no personal value in clear, the code and reason in
 * headers with the message's origin, and none of the message's own headers (they are input).
 */
export interface DeadLetter extends Refusal {
  /** A keyed hash of the message's key (a ref): one person's letters stay on one partition. */
  readonly key: string | null;
  /** The message value with every personal value sealed under a dead-letter key. */
  readonly value: string;
  /** What is sent instead when the letter is larger than the dead-letter topic takes. */
  readonly cutDown: string;
}

export interface BatchContext {
  /** Keeps the group membership alive during a long batch (a store outage being waited out). */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: a batch being retried gives up and is redelivered. */
  isRunning(): boolean;
}

/**
 * Handles one batch of one partition; resolves once every message is either recorded durably or
 * to be dead-lettered. Only then does the source commit the batch's offsets, in one Kafka
 * transaction with its dead letters: a crash before the commit redelivers the whole batch, which
 * records nothing twice (envelope ids) and whose earlier dead letters were never committed.
 */
export type BatchHandler = (
  messages: readonly InboundMessage[],
  context: BatchContext,
) => Promise<readonly DeadLetter[]>;

export interface InboundSource {
  start(handler: BatchHandler): Promise<void>;
  /** Finishes the batch in flight, commits it, leaves the group. */
  stop(): Promise<void>;
  /** Messages in the topic not yet committed by the group, over all partitions. */
  lag(): Promise<number>;
}

export interface OutboundMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Publisher {
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  publish(topic: string, messages: readonly OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}

export const DEAD_LETTER_SUFFIX = '.dlq';
