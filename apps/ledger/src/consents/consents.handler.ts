import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Keyring, openDeep, type SubjectKeys } from '#ledger/crypto';
import { findPolicyVersion, streamIdOf, type Policy } from '#ledger/domain';
import type { EventStore, StoredEvent } from '#ledger/event-store';
import { AccessLog } from '../access-log/access-log';
import { EVENT_STORE, POLICY } from '../modules/tokens';
import { GetSubjectConsentsQuery, type ConsentProof, type ConsentRecord } from './consents.queries';

/** A sealed value opens at the place it was sealed: an event's personal key (`evidence`). */
const placeOfPersonal = (path: readonly string[]): string => path[path.length - 1]!;

@QueryHandler(GetSubjectConsentsQuery)
export class GetSubjectConsentsHandler implements IQueryHandler<GetSubjectConsentsQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AccessLog) private readonly accessLog: AccessLog,
    @Inject(POLICY) private readonly policy: Policy,
  ) {}

  async execute({ subjectId, context }: GetSubjectConsentsQuery): Promise<ConsentProof | null> {
    // As for the state: logged while read, and the evidence opened only once the entry is written.
    const [events, keys] = await Promise.all([
      this.store.readStream(streamIdOf(subjectId)),
      this.keyring.readableKeys(subjectId),
      this.accessLog.record(context.principal, subjectId, 'consents', context.reason),
    ]);
    if (events.length === 0) return null;
    const purposes: Record<string, ConsentRecord[]> = {};
    const versions: Record<string, string | null> = {};
    for (const event of events) {
      const record = this.recordOf(subjectId, event, keys, versions);
      if (!record) continue;
      const purpose = (event.data as { purpose: string }).purpose;
      (purposes[purpose] ??= []).push(record);
    }
    return { subjectId, purposes };
  }

  /** A consent event as proof; a withdrawal names the version of the consent it withdrew. */
  private recordOf(
    subjectId: string,
    event: StoredEvent,
    keys: SubjectKeys,
    versions: Record<string, string | null>,
  ): ConsentRecord | null {
    if (event.type !== 'consent.given' && event.type !== 'consent.withdrawn') return null;
    const data = event.data as { purpose: string; channel: string; policyVersion?: string };
    if (event.type === 'consent.given') versions[data.purpose] = data.policyVersion ?? null;
    const policyVersion = versions[data.purpose] ?? null;
    const personal = event.personal ? openDeep(subjectId, event.personal, keys, placeOfPersonal) : {};
    const evidence =
      event.type === 'consent.given' ? ((personal as { evidence?: string | null }).evidence ?? null) : null;
    return {
      status: event.type === 'consent.given' ? 'given' : 'withdrawn',
      at: event.meta.occurredAt,
      policyVersion,
      policyTextSha256:
        policyVersion === null ? null : (findPolicyVersion(this.policy, policyVersion)?.textSha256 ?? null),
      channel: data.channel,
      evidence,
    };
  }
}
