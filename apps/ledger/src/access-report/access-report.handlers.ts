import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Keyring, openDeep, placeInPersonal } from '#ledger/crypto';
import { RuleViolation, streamIdOf, type Policy } from '#ledger/domain';
import type { EventStore, StoredEvent } from '#ledger/event-store';
import { BatchRejected, LedgerWriter } from '#ledger/recording';
import { composeAccessAnswer, portableFields, type AccessAnswer, type PortableField } from '#ledger/reports';
import { AccessLog } from '../access-log/access-log';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerProjections } from '../modules/ledger-projections';
import { EVENT_STORE, LEDGER_CONFIG, POLICY } from '../modules/tokens';
import type { ReadContext } from '../subjects/subject.queries';
import { AnswerAccessRequestCommand, GetAccessAnswerQuery, GetPortableFieldsQuery } from './access-report.queries';

/**
 * A person's events with their values opened, for one logged read. As for the state: the entry is
 * written while the events and keys are fetched, and nothing is opened until it is written.
 */
@Injectable()
export class OpenedHistory {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AccessLog) private readonly accessLog: AccessLog,
  ) {}

  async read(subjectId: string, resource: string, context: ReadContext): Promise<StoredEvent[]> {
    const [events, keys] = await Promise.all([
      this.store.readStream(streamIdOf(subjectId)),
      this.keyring.readableKeys(subjectId),
      this.accessLog.record(context.principal, subjectId, resource, context.reason),
    ]);
    // A value whose key an erasure destroyed opens as null: the answer shows no value for it.
    return events.map((e) =>
      e.personal ? { ...e, personal: openDeep(subjectId, e.personal, keys, placeInPersonal) } : e,
    );
  }
}

@QueryHandler(GetPortableFieldsQuery)
export class GetPortableFieldsHandler implements IQueryHandler<GetPortableFieldsQuery, PortableField[] | null> {
  constructor(
    @Inject(OpenedHistory) private readonly history: OpenedHistory,
    @Inject(POLICY) private readonly policy: Policy,
  ) {}

  async execute({ subjectId, context }: GetPortableFieldsQuery): Promise<PortableField[] | null> {
    const events = await this.history.read(subjectId, 'export', context);
    return events.length === 0 ? null : portableFields(events, this.policy.retention.inactivityMonths);
  }
}

@QueryHandler(GetAccessAnswerQuery)
export class GetAccessAnswerHandler implements IQueryHandler<GetAccessAnswerQuery, AccessAnswer | null> {
  constructor(
    @Inject(OpenedHistory) private readonly history: OpenedHistory,
    @Inject(POLICY) private readonly policy: Policy,
  ) {}

  async execute({ subjectId, lang, requestId, now, context }: GetAccessAnswerQuery): Promise<AccessAnswer | null> {
    const events = await this.history.read(subjectId, 'access-report', context);
    if (events.length === 0) return null;
    // Only an open access request of this person is answered by it; anything else is refused, unanswered.
    if (requestId !== undefined && !this.openAccessRequest(events, requestId)) {
      throw new RuleViolation('NO_SUCH_REQUEST', `no open access request ${requestId} for this subject`);
    }
    return composeAccessAnswer(events, this.policy, { lang, now, ...(requestId ? { requestId } : {}) });
  }

  private openAccessRequest(events: readonly StoredEvent[], requestId: string): boolean {
    let open = false;
    for (const { type, data } of events) {
      const id = (data as { requestId?: string }).requestId;
      if (id !== requestId) continue;
      if (type === 'access.requested') open = true;
      else if (type === 'request.received') open = (data as { kind?: string }).kind === 'access';
      else if (type === 'request.answered') open = false;
    }
    return open;
  }
}

@CommandHandler(AnswerAccessRequestCommand)
export class AnswerAccessRequestHandler implements ICommandHandler<AnswerAccessRequestCommand, void> {
  constructor(
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ subjectId, requestId, answeredAt, by }: AnswerAccessRequestCommand): Promise<void> {
    const result = await this.writer
      .record(
        [
          {
            id: randomUUID(),
            type: 'request.answered',
            occurredAt: answeredAt,
            source: 'ledger',
            actor: `${by.role}:${by.name}`,
            subject: { id: subjectId },
            data: { requestId, outcome: 'fulfilled' },
          },
        ],
        { atomic: true },
      )
      .catch((error: unknown) => {
        // One envelope of the ledger's own: its refusal is the request's, not a batch's.
        throw error instanceof BatchRejected ? error.error : error;
      });
    // The register and the state show the answer before the answer goes out.
    if (result.checkpoint) await this.projections.show(result.checkpoint, this.config.LEDGER_READ_YOUR_WRITES_MS);
  }
}

export const ACCESS_REPORT_HANDLERS = [
  OpenedHistory,
  GetAccessAnswerHandler,
  GetPortableFieldsHandler,
  AnswerAccessRequestHandler,
];
