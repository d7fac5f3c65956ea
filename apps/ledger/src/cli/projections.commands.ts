import { rebuildProjection, SubjectStateProjection, type RebuildableProjection } from '#ledger/projections';
import { loadPolicy } from '../config/policy-file';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

const projectionsOf = (context: CliContext): RebuildableProjection[] => {
  const { policy } = loadPolicy(context.config.LEDGER_POLICY);
  return [new SubjectStateProjection(policy.retention.inactivityMonths)];
};

/** `projections status`: each projection's checkpoint, how far behind the feed it is, and any rebuild under way. */
export async function projectionsStatus(context: CliContext, report: Reporter): Promise<number> {
  const store = await context.store();
  const head = await store.head();
  const { rows } = await context.pool.query<{ name: string; checkpoint: string | null; updated_at: Date }>(
    'SELECT name, checkpoint, updated_at FROM ledger_projections ORDER BY name',
  );
  const rebuilds = await context.pool
    .query<{ name: string; phase: string }>('SELECT name, phase FROM ledger_projection_rebuilds')
    .then((r) => new Map(r.rows.map((x) => [x.name, x.phase])))
    .catch(() => new Map<string, string>());
  for (const row of rows) {
    let behind = 0;
    for (let cp = row.checkpoint; store.compare(cp, head) < 0 && behind < 1_000_000;) {
      const page = await store.readFeed(cp, 10_000);
      if (page.length === 0) break;
      behind += page.length;
      cp = page[page.length - 1]!.checkpoint;
    }
    const rebuilding = rebuilds.get(row.name);
    process.stdout.write(
      `${JSON.stringify({
        projection: row.name,
        checkpoint: row.checkpoint,
        head,
        behindEvents: behind,
        updatedAt: row.updated_at.toISOString(),
        ...(rebuilding ? { rebuild: rebuilding } : {}),
      })}\n`,
    );
  }
  report.line(`${rows.length} projections; feed head ${head ?? '(empty)'}`);
  return 0;
}

/** `projections rebuild <name>`: into a shadow table, swapped in atomically; resumable. */
export async function projectionsRebuild(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const projections = projectionsOf(context);
  const projection = projections.find((p) => p.name === args[0]);
  if (!projection) {
    report.error(`usage: projections rebuild <${projections.map((p) => p.name).join('|')}>`);
    return 2;
  }
  const started = Date.now();
  const events = await rebuildProjection(await context.store(), context.pool, projection, {
    onProgress: (phase, n) => report.progress(`${projection.name} ${phase}: events`, n),
  });
  const seconds = (Date.now() - started) / 1000;
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  report.line(
    `rebuilt ${projection.name} from ${events} events in ${seconds.toFixed(1)} s ` +
      `(${Math.round(events / Math.max(seconds, 0.001))} events/s, peak RSS ${peakMb} MB); swapped in`,
  );
  return 0;
}
