import { Client } from 'pg';

/**
 * What autovacuum would do, for a server that runs without it (the CI server here sets
 * `autovacuum = off`): without statistics the planner takes a lookup of a few hundred keys on a
 * table of millions for a sequential scan, and the benchmark would measure the server's setting
 * rather than the ledger. Every ten seconds, each table changed by more than autovacuum's analyze
 * threshold (50 rows and 10 % of its rows) is analyzed, and `vacuum()` runs before the
 * measurements of each size.
 */
export class AutovacuumStandIn {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: Client,
    readonly active: boolean,
  ) {}

  /** Active only when the server's own autovacuum is off (BENCH_SCALE_ANALYZE=0: never). */
  static async start(url: string, intervalMs = 10_000): Promise<AutovacuumStandIn> {
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ autovacuum: string }>('SHOW autovacuum');
    const active = rows[0]?.autovacuum === 'off' && process.env.BENCH_SCALE_ANALYZE !== '0';
    const standIn = new AutovacuumStandIn(client, active);
    if (active) standIn.timer = setInterval(() => void standIn.analyzeChanged(), intervalMs);
    return standIn;
  }

  /** VACUUM (ANALYZE) of the whole database, once, when active. */
  async vacuum(): Promise<void> {
    if (this.active) await this.run('VACUUM (ANALYZE)');
  }

  /** ANALYZE of the tables past autovacuum's threshold (autovacuum_analyze_threshold and _scale_factor). */
  private analyzeChanged(): Promise<unknown> {
    return this.run(async () => {
      const { rows } = await this.client.query<{ name: string }>(
        `SELECT quote_ident(s.relname) AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
         WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)`,
      );
      for (const { name } of rows) await this.client.query(`ANALYZE ${name}`);
    });
  }

  /** One statement or task at a time on the one connection; a failure (a table dropped meanwhile) is skipped. */
  private run(work: string | (() => Promise<unknown>)): Promise<unknown> {
    const task = typeof work === 'string' ? () => this.client.query(work) : work;
    this.running = this.running.then(task).catch(() => undefined);
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.client.end();
  }
}
