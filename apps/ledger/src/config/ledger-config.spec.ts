import 'reflect-metadata';
import { loadConfig } from './ledger-config';

describe('the configuration', () => {
  const shared = { LEDGER_STORE: 'postgres', DATABASE_URL: 'postgres://ledger@db/ledger' };

  it('records and reads by default; LEDGER_ROLE=read serves reads only', () => {
    expect(loadConfig(shared).LEDGER_ROLE).toBe('all');
    expect(loadConfig({ ...shared, LEDGER_ROLE: 'read' }).LEDGER_ROLE).toBe('read');
  });

  it('refuses an unknown role, naming the variable', () => {
    expect(() => loadConfig({ ...shared, LEDGER_ROLE: 'writer' })).toThrow(/LEDGER_ROLE/);
  });

  it('refuses a read instance on its own embedded database, which no recording instance shares', () => {
    expect(() => loadConfig({ LEDGER_ROLE: 'read' })).toThrow(/LEDGER_ROLE=read .* LEDGER_STORE=postgres or kurrentdb/);
  });
});
