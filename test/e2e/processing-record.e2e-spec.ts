import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { htmlProblems } from '../support/html-well-formed';
import { envelope } from './support/envelopes';
import { LedgerProcess, TOKENS } from './support/ledger-process';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');
const POLICY_SHA256 = createHash('sha256')
  .update(readFileSync(resolve(__dirname, '../../libs/domain/policy/backerskeie-2018-05.json')))
  .digest('hex');
const PURPOSES = [
  'client-assignments',
  'candidate-relationship',
  'credit-check-invoicing',
  'customer-service',
  'marketing',
  'security',
];

interface Activity {
  purpose: string;
  observed: { subjects: number; events: number; lastAt: string | null };
}
interface Record30 {
  controller: { name: string };
  policyVersion: string;
  policySha256: string;
  activities: Activity[];
  drift: { sources: Array<{ name: string }>; recipients: Array<{ name: string }> };
}

/** The Art. 30 record on the built service: JSON and HTML, bokmål and English, figures and drift; and the CLI. */
describe('the record of processing activities (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  const record = async (query = '', role: keyof typeof TOKENS = 'auditor') =>
    ledger.get(`/v1/processing-record${query}`, role);
  const html = async (query: string) => {
    const response = await fetch(`${ledger.url}/v1/processing-record${query}`, {
      headers: { authorization: `Bearer ${TOKENS.dpo}`, accept: 'text/html' },
    });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...ledger.env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  /** The record once the projection shows `ok`: figures follow the write by a moment. */
  const recordWhen = async (ok: (r: Record30) => boolean): Promise<Record30> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const body = (await record()).body as Record30;
      if (ok(body) || Date.now() > until) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase());
    const ref = `webcruiter:candidate:art30-${randomUUID().slice(0, 8)}`;
    const posted = await ledger.post({
      events: [
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'art30@example.no', 'work.position': 'CFO' },
          collectedFrom: 'processor',
        }),
        envelope('data.disclosed', ref, {
          recipient: 'Assessio',
          purpose: 'client-assignments',
          fields: ['contact.email'],
        }),
        envelope('data.disclosed', ref, {
          recipient: 'Datamegler AS',
          purpose: 'client-assignments',
          fields: ['work.position'],
        }),
        envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }),
      ],
    });
    expect(posted.status).toBe(201);
  });
  afterAll(() => stop?.());

  it('gives six stamped activities, figures per purpose, and an undeclared recipient in drift', async () => {
    const body = await recordWhen((r) => r.drift.recipients.length > 0);
    expect(body.controller.name).toBe('BackerSkeie AS');
    expect(body).toMatchObject({ policyVersion: '2018-05', policySha256: POLICY_SHA256 });
    expect(body.activities.map((a) => a.purpose)).toEqual(PURPOSES);
    const observed = Object.fromEntries(body.activities.map((a) => [a.purpose, a.observed]));
    expect(observed['client-assignments']).toEqual({ subjects: 1, events: 3, lastAt: '2026-11-20T10:15:00.000Z' });
    expect(observed.marketing).toMatchObject({ subjects: 1, events: 1 });
    expect(observed.security).toEqual({ subjects: 0, events: 0, lastAt: null });
    expect(body.drift).toEqual({
      sources: [],
      recipients: [{ name: 'Datamegler AS', events: 1, lastAt: '2026-11-20T10:15:00.000Z' }],
    });
  });

  it('speaks bokmål by default and English on request, to the auditor and the dpo only', async () => {
    const nb = (await record()).body as { lang: string; activities: Array<{ description: string }> };
    const en = (await record('?lang=en', 'dpo')).body as typeof nb;
    expect([nb.lang, nb.activities[2]?.description]).toEqual(['nb', 'Kredittkontroll og fakturering']);
    expect([en.lang, en.activities[2]?.description]).toEqual(['en', 'Credit checks and invoicing']);
    expect((await record('', 'ingest')).status).toBe(403);
    expect((await record('', 'ops')).status).toBe(403);
    expect((await record('?lang=de')).status).toBe(400);
    expect(Object.keys((await ledger.get('/docs-json', null)).body.paths)).toContain('/v1/processing-record');
  });

  it.each(['nb', 'en'])('serves a well-formed printable HTML document by Accept: text/html (%s)', async (lang) => {
    const page = await html(`?lang=${lang}`);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(htmlProblems(page.text)).toEqual([]);
    expect(page.text.startsWith('<!doctype html>')).toBe(true);
    expect(page.text).toContain(`<html lang="${lang}">`);
    expect(page.text).toContain('BackerSkeie AS');
    expect(page.text).not.toContain('<script');
    for (const purpose of PURPOSES) expect(page.text).toContain(`id="purpose-${purpose}"`);
    expect(page.text).toMatch(/<section id="drift">.*Datamegler AS/s);
  });

  it('prints the same from the CLI, as JSON and as HTML, and refuses a bad format', async () => {
    const json = await cli('report', 'processing-record', '--lang', 'en');
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as Record30 & { lang: string };
    expect(printed.lang).toBe('en');
    expect(printed.policySha256).toBe(POLICY_SHA256);
    expect(printed.activities.map((a) => a.purpose)).toEqual(PURPOSES);
    expect(printed.drift.recipients.map((r) => r.name)).toEqual(['Datamegler AS']);
    const page = await cli('report', 'processing-record', '--format', 'html');
    expect(page.code).toBe(0);
    expect(htmlProblems(page.stdout)).toEqual([]);
    expect(page.stdout).toContain('<html lang="nb">');
    expect(page.stdout).toContain('Protokoll over behandlingsaktiviteter');
    expect((await cli('report', 'processing-record', '--format', 'pdf')).code).toBe(2);
  });
});
