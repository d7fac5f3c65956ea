import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { subjectDecider, type InboundEnvelope, type Policy, type SubjectDecider } from '#ledger/domain';
import type { EventStore } from '#ledger/event-store';
import { SubjectStateReader, type RetentionHold } from '#ledger/projections';
import { LedgerWriter, derivedEventId } from '#ledger/recording';
import type { LedgerConfig } from '../config/ledger-config';
import { LedgerProjections } from '../modules/ledger-projections';
import { EVENT_STORE, LEDGER_CONFIG, POLICY } from '../modules/tokens';
import { SubjectStates } from '../subjects/subject-states';
import { previewSweep } from './sweep-preview';
import { SweepRetentionCommand, type SweepResult } from './sweep-retention.command';

const PAGE = 500;

/** The key of a sweep's erasure request; without live holds, the key sweeps always used. */
const retentionRequestKey = (
  subjectId: string,
  retentionDueAt: string,
  holds: readonly RetentionHold[],
  now: number,
): string => {
  const live = holds.filter((h) => h.until === undefined || Date.parse(h.until) > now).map((h) => h.id);
  const base = `retention/${subjectId}/${retentionDueAt}`;
  return live.length === 0 ? base : `${base}/held/${live.sort().join(',')}`;
};

@CommandHandler(SweepRetentionCommand)
export class SweepRetentionHandler implements ICommandHandler<SweepRetentionCommand, SweepResult> {
  private readonly logger = new Logger('retention');
  private readonly decider: SubjectDecider;

  constructor(
    @Inject(POLICY) policy: Policy,
    @Inject(SubjectStateReader) private readonly stateReader: SubjectStateReader,
    @Inject(SubjectStates) private readonly states: SubjectStates,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.decider = subjectDecider(policy);
  }

  async execute({ asOf, dryRun }: SweepRetentionCommand): Promise<SweepResult> {
    const erased: string[] = [];
    const refused: string[] = [];
    let after: string | null = null;
    for (;;) {
      const candidates = await this.stateReader.dueForRetention(asOf, after, PAGE);
      if (candidates.length === 0) break;
      after = candidates[candidates.length - 1]!.subjectId;
      // A row that does not show every event the store holds for its subject may be out of date
      // (a collection acknowledged a moment ago restarts the clock): those wait for the next sweep.
      const revisions = await this.states.revisionsOf(candidates.map((c) => c.subjectId));
      const due = candidates.filter((c) => c.version > (revisions.get(c.subjectId) ?? -1));
      if (due.length < candidates.length)
        this.logger.log(
          `retention sweep as of ${asOf}: ${candidates.length - due.length} subjects left for the next sweep, ` +
            'their read model rows not yet up to date',
        );
      if (due.length === 0) continue;
      // One request per subject, retention date and set of live holds: a second sweep of the same
      // date under the same holds is a duplicate, not a new refusal in the trail every day; once a
      // hold has passed its `until`, the request is a new one and the erasure runs.
      const now = Date.now();
      const envelopes = due.map(({ subjectId, retentionDueAt, holds }): InboundEnvelope => ({
        id: derivedEventId(retentionRequestKey(subjectId, retentionDueAt, holds, now), 0),
        type: 'erasure.requested',
        occurredAt: asOf,
        source: 'ledger',
        actor: 'ledger:retention-sweep',
        subject: { id: subjectId },
        data: { scope: 'all', reason: 'retention-expired' },
      }));
      if (dryRun) {
        const preview = await previewSweep(this.store, this.decider, envelopes, new Date().toISOString());
        erased.push(...preview.erased);
        refused.push(...preview.refused);
        continue;
      }
      const result = await this.writer.record(envelopes, { atomic: false });
      const erasedNow = new Set(result.erasedSubjectIds);
      for (const outcome of result.outcomes) {
        if (outcome.status === 'rejected') continue;
        (erasedNow.has(outcome.subjectId) ? erased : refused).push(outcome.subjectId);
      }
      if (result.checkpoint) await this.projections.show(result.checkpoint, this.config.LEDGER_READ_YOUR_WRITES_MS);
    }
    const verbs = dryRun ? ['would be erased', 'would be refused'] : ['erased', 'refused'];
    this.logger.log(
      `retention sweep as of ${asOf}${dryRun ? ' (dry run)' : ''}: ` +
        `${erased.length} ${verbs[0]}, ${refused.length} ${verbs[1]} under legal hold`,
    );
    return { asOf, erased, refused };
  }
}
