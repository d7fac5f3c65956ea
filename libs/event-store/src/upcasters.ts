import type { StoredEvent } from './event-store.port';

/**
 * Brings a stored event of an older schema to the current one as it is read, so an event's schema
 * can change without rewriting the log (stored events are immutable: their hashes cover them).
 * `upcast` recognises the older shape itself and returns an event of the current shape; an event
 * already current comes back as it is.
 */
export interface Upcaster {
  /** The stored type string this upcaster reads. */
  readonly type: string;
  upcast(event: StoredEvent): StoredEvent;
}

/**
 * One function applying every upcaster registered for an event's type, in the order given (an
 * older schema passes through each later one). With none registered for a type, the event itself.
 */
export function upcasterChain(upcasters: readonly Upcaster[]): (event: StoredEvent) => StoredEvent {
  const byType = new Map<string, Upcaster[]>();
  for (const upcaster of upcasters) byType.set(upcaster.type, [...(byType.get(upcaster.type) ?? []), upcaster]);
  if (byType.size === 0) return (event) => event;
  return (event) => {
    const chain = byType.get(event.type);
    return chain ? chain.reduce((current, upcaster) => upcaster.upcast(current), event) : event;
  };
}
