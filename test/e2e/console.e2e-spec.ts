import AxeBuilder from '@axe-core/playwright';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { envelope } from './support/envelopes';
import { LedgerProcess, TOKEN_NAMES, TOKENS } from './support/ledger-process';

/** Debian's Chromium, or the one CHROMIUM_PATH names; `.ci/run` installs the package. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(__dirname, '../../test-results/console');
const EMAIL = 'ola.nordmann@example.no';
const REASON = 'Klage fra kandidaten, sak 2026-118';

/**
 * The console in a real browser against the built service on the embedded default: sign in with a
 * pasted token, find a person, reveal the values with a reason and see that read in the access log,
 * the trail proven in the browser, the request register with the overdue request first, the other
 * pages, English. Each page is photographed and checked by axe-core: no serious or critical finding.
 */
describe('the console (/console) in Chromium', () => {
  let ledger: LedgerProcess;
  let browser: Browser;
  let page: Page;
  let subjectId: string;
  const ref = `webcruiter:candidate:console-${Date.now()}`;
  const browserErrors: string[] = [];

  const accessibilityProblems = async () =>
    (await new AxeBuilder({ page }).analyze()).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const shoot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) ` +
          'or set CHROMIUM_PATH. The console test could not run.',
      );
    }
    mkdirSync(SHOTS, { recursive: true });
    ledger = await LedgerProcess.start({ LEDGER_CHECKPOINT_INTERVAL_MS: '200' });
    const posted = await ledger.post({
      events: [
        envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' }),
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': EMAIL, 'work.position': 'Finansdirektør' },
          collectedFrom: 'processor',
        }),
        // Received in October: a month later it fell due, so it is overdue now.
        envelope('access.requested', ref, { channel: 'email' }, '2026-10-01T09:00:00Z'),
        envelope('request.received', `${ref}-b`, { kind: 'rectification', channel: 'web' }, new Date().toISOString()),
      ],
    });
    expect(posted.status).toBe(201);
    subjectId = posted.body.results[0].subjectId;
    const breach = await ledger.request('POST', '/v1/breaches', 'dpo', {
      id: randomUUID(),
      discoveredAt: '2026-11-16T08:00:00.000Z',
      periodFrom: '2026-11-01T00:00:00.000Z',
      periodTo: '2026-11-15T00:00:00.000Z',
      nature: 'Kandidatliste sendt til feil kunde',
      systems: ['webcruiter'],
      categories: ['contact'],
      consequences: 'kontaktopplysninger kan være sett',
      measures: 'kunden har bekreftet sletting',
    });
    expect(breach.status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'nb-NO' });
    page = await context.newPage();
    page.on('console', (message) => {
      // A 404 from an API that has not landed is shown on the page as such; anything else is a fault.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        browserErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => browserErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.stop();
  });

  it('serves the page with a strict CSP and its settings; a token-less visitor sees the sign-in', async () => {
    const response = await page.goto(`${ledger.url}/console/`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await (await fetch(`${ledger.url}/console/config.json`)).json()).toEqual({ oidc: null });
    // A page path the browser routes is the page too; a missing asset is not.
    expect((await fetch(`${ledger.url}/console/requests`)).status).toBe(200);
    expect((await fetch(`${ledger.url}/console/assets/nothing.js`)).status).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await shoot('sign-in');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('signs in with a pasted token, finds the person by ref, and shows no value until asked', async () => {
    await page.getByLabel('Bearer-token').fill('not-a-token-of-this-ledger-0123456789');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('alert').filter({ hasText: 'Innloggingen mislyktes.' }).waitFor();
    expect(await page.getByRole('alert').allTextContents()).toEqual(['Innloggingen mislyktes.']);
    await page.getByLabel('Bearer-token').fill(TOKENS.dpo);
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByLabel('Referanse eller person-id').fill(ref);
    await shoot('find');
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.getByRole('heading', { level: 1, name: `Person ${subjectId}` }).waitFor();
    await page.getByText('contact.email').waitFor();
    expect(await page.getByText('skjult').count()).toBe(2);
    expect(await page.content()).not.toContain(EMAIL);
    // The trail's events are proven against a signed checkpoint, in the browser.
    await page.getByText(/3 \/ 3 hendelser bevist/).waitFor({ timeout: 20_000 });
    await shoot('person-values-hidden');
    const reads = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses as Array<{
      resource: string;
    }>;
    expect(reads.map((r) => r.resource)).toContain('state-without-values');
    expect(reads.map((r) => r.resource)).not.toContain('state');
  });

  it('reveals the values with a reason, and the read is in the access log with that reason', async () => {
    await page.getByLabel('Grunn til innsyn').fill(REASON);
    await page.getByRole('button', { name: 'Vis verdiene' }).click();
    await page.getByText(EMAIL).waitFor();
    const log = page.getByRole('region', { name: 'Hvem har lest opplysningene, og hvorfor' });
    await log.getByRole('cell', { name: REASON }).first().waitFor();
    const rows = await log.getByRole('row').filter({ hasText: REASON }).allTextContents();
    // The state read with values, beside the consent history read with the same reason.
    expect(rows.filter((r) => r.includes(TOKEN_NAMES.dpo) && /state(?!-)/.test(r))).toHaveLength(1);
    const reads = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses as Array<{
      resource: string;
      reason: string | null;
      principal: string;
    }>;
    expect(reads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'state', reason: REASON, principal: TOKEN_NAMES.dpo }),
      ]),
    );
    await shoot('person');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it("downloads the person's access answer as PDF and HTML, the reason logged with it", async () => {
    const reason = 'Innsynskrav fra kandidaten';
    await page.getByLabel('Grunn til å hente innsynssvaret').fill(reason);
    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Last ned som PDF' }).click();
    const saved = await (await pdf).path();
    expect(readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const html = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Last ned som HTML' }).click();
    const page15 = readFileSync(await (await html).path(), 'utf8');
    expect(page15).toContain('<html');
    expect(page15).toContain(EMAIL);
    const reads = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses as Array<{
      reason: string | null;
    }>;
    expect(reads.filter((r) => r.reason === reason)).toHaveLength(2);
  });

  it('lists the overdue request first in the register', async () => {
    await page.getByRole('link', { name: 'Henvendelser' }).click();
    await page.getByRole('heading', { level: 1, name: 'Henvendelsesregister' }).waitFor();
    const rows = page.getByRole('row');
    await rows.nth(2).waitFor();
    const first = await rows.nth(1).textContent();
    expect(first).toContain('forfalt');
    expect(first).toContain('access');
    expect(await rows.nth(2).textContent()).toContain('rectification');
    await shoot('requests');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('reads a long register a page at a time, the overdue request still first', async () => {
    // Answered requests: after every open one, so the first page starts as before.
    const refs = Array.from({ length: 110 }, (_, i) => `${ref}-page-${i}`);
    const now = () => new Date().toISOString();
    const received = refs.map((r) => envelope('request.received', r, { kind: 'erasure', channel: 'email' }, now()));
    expect((await ledger.post({ events: received })).status).toBe(201);
    const answered = received.map((r, i) =>
      envelope('request.answered', refs[i]!, { requestId: r.id, outcome: 'fulfilled' }, now()),
    );
    expect((await ledger.post({ events: answered })).status).toBe(201);
    const total = async () =>
      ((await ledger.get('/v1/requests?status=answered', 'dpo')).body.requests as unknown[]).length;
    for (let i = 0; i < 100 && (await total()) < 110; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await total()).toBe(110);

    await page.getByRole('link', { name: 'Etterlevelse', exact: true }).click();
    await page.getByRole('link', { name: 'Henvendelser' }).click();
    await page.getByRole('heading', { level: 1, name: 'Henvendelsesregister' }).waitFor();
    const rows = page.getByRole('row');
    await rows.nth(100).waitFor();
    expect(await rows.count()).toBe(1 + 100);
    expect(await rows.nth(1).textContent()).toContain('forfalt');
    await page.getByRole('button', { name: 'Vis flere' }).click();
    await rows.nth(1 + 112 - 1).waitFor();
    expect(await rows.count()).toBe(1 + 112);
    expect(await rows.nth(112).textContent()).toContain('fulfilled');
    expect(await page.getByRole('button', { name: 'Vis flere' }).count()).toBe(0);
    await shoot('requests-paged');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('shows the record of processing, the breach log and the compliance checks, or says one is not there', async () => {
    for (const [link, heading, shot] of [
      ['Behandlingsprotokoll (art. 30)', 'Protokoll over behandlingsaktiviteter (art. 30)', 'processing-record'],
      ['Avvik', 'Avviksprotokoll (art. 33(5))', 'breaches'],
      ['Etterlevelse', 'Etterlevelseskontroller', 'compliance'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.getByText('Henter …').waitFor({ state: 'detached' });
      if (shot === 'breaches') await page.getByRole('cell', { name: 'Kandidatliste sendt til feil kunde' }).waitFor();
      await shoot(shot);
      expect([shot, await accessibilityProblems()]).toEqual([shot, []]);
    }
    await page
      .getByText(/Ikke tilgjengelig ennå|Kontroll/)
      .first()
      .waitFor();
  });

  it('switches to English and back', async () => {
    await page.getByRole('button', { name: /English/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Compliance checks' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('link', { name: 'Find a person' }).click();
    await page.getByRole('heading', { level: 1, name: 'Find a person' }).waitFor();
    await shoot('find-en');
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByRole('button', { name: /Norsk/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Finn en person' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('nb');
  });

  it('the API: a state without values, the policy text behind a consent, a path outside refused', async () => {
    const hidden = await ledger.get(`/v1/subjects/${subjectId}?values=none`, 'auditor');
    expect(hidden.status).toBe(200);
    expect(Object.keys(hidden.body.data).sort()).toEqual(['contact.email', 'work.position']);
    expect(hidden.body.data['contact.email']).toEqual(
      expect.objectContaining({ purpose: 'client-assignments', source: 'webcruiter' }),
    );
    expect(hidden.body.data['contact.email']).not.toHaveProperty('value');
    expect(JSON.stringify(hidden.body)).not.toContain(EMAIL);
    expect((await ledger.get(`/v1/subjects/${subjectId}`, 'auditor')).body.data['contact.email'].value).toBe(EMAIL);
    expect((await ledger.get(`/v1/subjects/${subjectId}?values=some`, 'auditor')).status).toBe(400);
    const text = await ledger.get('/v1/policy/versions/2018-05/text', 'auditor');
    const consents = await ledger.get(`/v1/subjects/${subjectId}/consents`, 'dpo');
    expect(createHash('sha256').update(String(text.body)).digest('hex')).toBe(
      consents.body.purposes.marketing[0].policyTextSha256,
    );
    expect((await ledger.get('/v1/policy/versions/1999-01/text', 'auditor')).status).toBe(404);
    expect((await ledger.get('/v1/policy/versions/2018-05/text', 'ingest')).status).toBe(403);
    // The console's files are public, but nothing outside its folder is served through it.
    expect((await fetch(`${ledger.url}/console/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('ran without a script error or a CSP refusal in the browser', () => {
    expect(browserErrors).toEqual([]);
  });
});
