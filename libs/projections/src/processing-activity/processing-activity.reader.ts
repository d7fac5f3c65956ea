import type { Pool } from '#ledger/postgres';
import type { PartyKind } from './processing-activity.projection';

/** What the events show of one purpose: how many persons and events, and the latest. */
export interface ObservedPurpose {
  readonly subjects: number;
  readonly events: number;
  readonly lastAt: string | null;
}

export interface SeenParty {
  readonly kind: PartyKind;
  readonly name: string;
  readonly events: number;
  readonly lastAt: string;
}

export interface ObservedActivity {
  readonly purposes: ReadonlyMap<string, ObservedPurpose>;
  readonly parties: readonly SeenParty[];
}

/** Reads of the processing-activity projection: small tables, one row per purpose or system. */
export class ProcessingActivityReader {
  constructor(private readonly pool: Pool) {}

  async read(): Promise<ObservedActivity> {
    const [purposes, parties] = await Promise.all([
      this.pool.query<{ purpose: string; events: string; subjects: string; last_at: Date }>(
        'SELECT purpose, events, subjects, last_at FROM ledger_purpose_activity',
      ),
      this.pool.query<{ kind: PartyKind; name: string; events: string; last_at: Date }>(
        'SELECT kind, name, events, last_at FROM ledger_seen_parties ORDER BY kind, name',
      ),
    ]);
    return {
      purposes: new Map(
        purposes.rows.map((r) => [
          r.purpose,
          { subjects: Number(r.subjects), events: Number(r.events), lastAt: r.last_at.toISOString() },
        ]),
      ),
      parties: parties.rows.map((r) => ({
        kind: r.kind,
        name: r.name,
        events: Number(r.events),
        lastAt: r.last_at.toISOString(),
      })),
    };
  }
}
