import { Inject, Logger } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Keyring, openDeep } from '#ledger/crypto';
import { SubjectTrailReader, placeInStateView, type SubjectStateView } from '#ledger/projections';
import type { SubjectDirectory } from '#ledger/recording';
import type { PostgresTreeStore } from '#ledger/verifiable-log';
import { AccessLog } from '../access-log/access-log';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { SUBJECT_DIRECTORY, TREE_STORE } from '../modules/tokens';
import { SubjectStates } from './subject-states';
import {
  FindSubjectByRefQuery,
  GetSubjectAccessesQuery,
  GetSubjectStateQuery,
  GetSubjectTrailQuery,
} from './subject.queries';

@QueryHandler(GetSubjectStateQuery)
export class GetSubjectStateHandler implements IQueryHandler<GetSubjectStateQuery> {
  private readonly logger = new Logger('read-model');

  constructor(
    @Inject(SubjectStates) private readonly states: SubjectStates,
    @Inject(Keyring) private readonly keyring: Keyring,
    @Inject(AccessLog) private readonly accessLog: AccessLog,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  async execute({ subjectId, context, values }: GetSubjectStateQuery) {
    // The log entry is written while the view and the keys are fetched, and the values are opened
    // only once all three are done: a read whose entry cannot be written is still not served, and
    // the log's round trip is not added to the read's. A
    // read of an id the ledger does not know is logged too, as the attempt it is. The view is one
    // that shows every write the store holds for the subject (waited for, bounded, if need be).
    const [{ view, freshness }, keys] = await Promise.all([
      this.states.current(subjectId),
      this.keyring.readableKeys(subjectId),
      this.accessLog.record(context.principal, subjectId, values ? 'state' : 'state-without-values', context.reason),
    ]);
    this.metrics.stateReads.inc({ freshness });
    if (freshness === 'behind')
      this.logger.warn(
        `state of subject ${subjectId} served before the read model showed its latest write ` +
          '(LEDGER_READ_YOUR_WRITES_MS)',
      );
    if (!view) return null;
    // The read model holds sealed values; they are opened only here, for this logged read. Without
    // values, the fields' values are dropped before anything is opened: they are never decrypted.
    return openDeep(subjectId, values ? view : withoutValues(view), keys, placeInStateView);
  }
}

/** The view with each field's metadata and no `value`. */
const withoutValues = (view: SubjectStateView): SubjectStateView =>
  ({
    ...view,
    data: Object.fromEntries(Object.entries(view.data).map(([key, { value: _value, ...meta }]) => [key, meta])),
  }) as SubjectStateView;

@QueryHandler(GetSubjectTrailQuery)
export class GetSubjectTrailHandler implements IQueryHandler<GetSubjectTrailQuery> {
  private readonly logger = new Logger('integrity');

  constructor(
    @Inject(SubjectTrailReader) private readonly trails: SubjectTrailReader,
    @Inject(AccessLog) private readonly accessLog: AccessLog,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(TREE_STORE) private readonly tree: PostgresTreeStore,
  ) {}

  async execute({ subjectId, context }: GetSubjectTrailQuery) {
    // As for the state: logged while read, served only once logged.
    const [{ entries, integrity }] = await Promise.all([
      this.trails.read(subjectId),
      this.accessLog.record(context.principal, subjectId, 'trail', context.reason),
    ]);
    if (entries.length === 0) return null;
    // The auditor is told whether what they read holds together; ops are told when it does not.
    if (!integrity.verified) {
      this.metrics.trailsBroken.inc();
      this.logger.error(
        `the trail of subject ${subjectId} does not verify: ${integrity.problem} at revision ${integrity.revision}`,
      );
    }
    // Each entry's place in the verifiable log, in one query: null while not yet a leaf.
    const logIndexes = await this.tree.logIndexesOf(
      'event',
      entries.map((e) => e.eventId),
    );
    return {
      subjectId,
      integrity,
      entries: entries.map((e) => ({ ...e, logIndex: logIndexes.get(e.eventId) ?? null })),
    };
  }
}

@QueryHandler(FindSubjectByRefQuery)
export class FindSubjectByRefHandler implements IQueryHandler<FindSubjectByRefQuery> {
  constructor(
    @Inject(SUBJECT_DIRECTORY) private readonly directory: SubjectDirectory,
    @Inject(AccessLog) private readonly accessLog: AccessLog,
  ) {}

  async execute({ ref, context }: FindSubjectByRefQuery) {
    const subjectId = await this.directory.lookup(ref);
    // That the ledger knows a person is itself personal data: the lookup is logged too.
    if (subjectId) await this.accessLog.record(context.principal, subjectId, 'ref-lookup', context.reason);
    return subjectId;
  }
}

@QueryHandler(GetSubjectAccessesQuery)
export class GetSubjectAccessesHandler implements IQueryHandler<GetSubjectAccessesQuery> {
  constructor(@Inject(AccessLog) private readonly accessLog: AccessLog) {}

  execute({ subjectId }: GetSubjectAccessesQuery) {
    return this.accessLog.forSubject(subjectId);
  }
}

export const SUBJECT_QUERY_HANDLERS = [
  GetSubjectStateHandler,
  GetSubjectTrailHandler,
  FindSubjectByRefHandler,
  GetSubjectAccessesHandler,
];
