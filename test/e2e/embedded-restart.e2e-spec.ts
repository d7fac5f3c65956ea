import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';
import { alive } from '../support/processes';

/**
 * `npm start` with no set-up: the embedded PostgreSQL in LEDGER_DATA_DIR, generated tokens, and
 * everything acknowledged still there after kill -9 (which orphans the server) and a restart.
 */
describe('the embedded default (built service, its own PostgreSQL)', () => {
  let ledger: LedgerProcess;
  afterAll(async () => {
    await ledger?.stop();
    if (ledger) rmSync(ledger.env.LEDGER_DATA_DIR!, { recursive: true, force: true });
  });

  it('keeps every acknowledged event across kill -9 and restart, and cleans up the stale server', async () => {
    ledger = await LedgerProcess.start({ LEDGER_STORE: 'embedded', LEDGER_TOKENS: '' });
    const dataDir = ledger.env.LEDGER_DATA_DIR!;
    const tokensFile = join(dataDir, 'tokens.env');
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
    expect(ledger.output.join('')).toContain(tokensFile);
    const tokens = Object.fromEntries(
      readFileSync(tokensFile, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('LEDGER_TOKENS='))!
        .slice(14)
        .split(',')
        .map((entry) => {
          const [role, name, token] = entry.split(':');
          expect(name).toBe(`${role}-generated`);
          return [role, token];
        }),
    );
    expect(ledger.output.join('')).not.toContain(tokens.ingest);
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${ledger.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    const ref = `invenias:contact:${randomUUID().slice(0, 8)}`;
    const events = Array.from({ length: 20 }, (_, i) =>
      envelope('data.collected', ref, {
        purpose: 'client-assignments',
        fields: { [`work.employer${i}`]: `Employer ${i}` },
        collectedFrom: 'subject',
      }),
    );
    const posted = await call('POST', '/v1/events', tokens.ingest, { events });
    expect(posted.status).toBe(201);
    const { results } = (await posted.json()) as { results: Array<{ subjectId: string }> };
    const subjectId = results[0]!.subjectId;

    const postmasterPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    await ledger.kill('SIGKILL');
    expect(alive(postmasterPid)).toBe(true); // orphaned, holding the data directory

    await ledger.boot();
    expect(alive(postmasterPid)).toBe(false);
    const state = await call('GET', `/v1/subjects/${subjectId}`, tokens.auditor);
    expect(state.status).toBe(200);
    expect(Object.keys(((await state.json()) as { data: object }).data)).toHaveLength(20);
    const again = await call('POST', '/v1/events', tokens.ingest, { events });
    expect(
      ((await again.json()) as { results: Array<{ status: string }> }).results.every((r) => r.status === 'duplicate'),
    ).toBe(true);
  });
});
