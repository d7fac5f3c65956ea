import { diskParts } from './results';

const relation = (total: number) => ({ table: total, indexes: 0, toast: 0, total });

describe('the bytes on disk by part of the ledger', () => {
  it('sums each part over its relations, per event, largest first', () => {
    const parts = diskParts(
      {
        ledger_events: relation(9000),
        ledger_event_id_generations: relation(1000),
        ledger_tree_leaves: relation(2000),
        ledger_tree_nodes: relation(500),
        ledger_data_keys: relation(1500),
        ledger_subject_refs: relation(500),
        ledger_subject_state: relation(2500),
        ledger_breach_exposure: relation(1500),
        ledger_access_log: relation(100),
      },
      10,
    );
    expect(parts).toEqual([
      ['events', 1000],
      ['read models', 400],
      ['verifiable log', 250],
      ['keys and refs', 200],
      ['access log', 10],
    ]);
  });
});
