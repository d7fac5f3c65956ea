import { Injectable, type PipeTransform } from '@nestjs/common';
import type { InboundEnvelope } from '#ledger/domain';
import { shownKey, validateEnvelope, type ValidationDetail } from '#ledger/envelope';
import { breathe } from '#ledger/common';
import { InputValidationError } from '../http/errors';

export const MAX_BATCH = 1000;

/** The body of POST /v1/events: one envelope, or `{ "events": [ … ] }` of 1 to 1,000, all valid. */
@Injectable()
export class EnvelopeBatchPipe implements PipeTransform<unknown, Promise<InboundEnvelope[]>> {
  async transform(body: unknown): Promise<InboundEnvelope[]> {
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
    if (!isBatch) {
      const check = validateEnvelope(body);
      if ('details' in check) throw new InputValidationError(check.details);
      return [check.envelope];
    }
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_BATCH) {
      throw new InputValidationError([
        { path: 'events', message: `events must be an array of 1 to ${MAX_BATCH} envelopes` },
      ]);
    }
    const extra = Object.keys(body as object).filter((k) => k !== 'events');
    const details: ValidationDetail[] = extra.map((k) => ({
      path: shownKey(k),
      message: `unknown field ${shownKey(k)}`,
    }));
    const envelopes: InboundEnvelope[] = [];
    for (const [i, raw] of events.entries()) {
      await breathe();
      const check = validateEnvelope(raw, `events[${i}]`);
      if ('details' in check) details.push(...check.details);
      else envelopes.push(check.envelope);
    }
    if (details.length > 0) throw new InputValidationError(details);
    return envelopes;
  }
}
