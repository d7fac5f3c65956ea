import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(__dirname, '../../test-results/console');

/**
 * Single sign-on in the browser: the console sends the reader to a real OpenID provider, comes back
 * with a code, exchanges it with PKCE and calls the API with the provider's JWT, kept in memory.
 */
describe('the console signs in through a real OpenID provider (Chromium)', () => {
  let provider: TestOidcProvider;
  let ledger: LedgerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let subjectId: string;
  const ref = `webcruiter:candidate:sso-${Date.now()}`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not at ${CHROMIUM}: install chromium or set CHROMIUM_PATH. The test could not run.`);
    }
    mkdirSync(SHOTS, { recursive: true });
    // Its console redirect URI is on the loopback, so it matches the ledger on whichever port it gets.
    provider = await startOidcProvider();
    ledger = await LedgerProcess.start(provider.ledgerEnv());
    const posted = await ledger.post({
      events: [
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.email': 'kari@example.no' },
          collectedFrom: 'processor',
        }),
      ],
    });
    expect(posted.status).toBe(201);
    subjectId = posted.body.results[0].subjectId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'nb-NO' });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.stop();
    await provider?.stop();
  });

  it('names the issuer in its settings and lets the page reach only it besides itself', async () => {
    const response = await page.goto(`${ledger.url}/console/`);
    const csp = response!.headers()['content-security-policy']!;
    expect(csp).toContain(`connect-src 'self' ${provider.issuer}`);
    expect(csp).toContain(`form-action 'self' ${provider.issuer}`);
    expect(await (await fetch(`${ledger.url}/console/config.json`)).json()).toEqual({
      oidc: { issuer: provider.issuer, clientId: provider.clientId, audience: provider.audience },
    });
    await page.getByRole('button', { name: 'Logg inn med bedriftskonto' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/sign-in-sso.png`, fullPage: true });
    const serious = (await new AxeBuilder({ page }).analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(serious.map((v) => v.id)).toEqual([]);
  });

  it('signs in at the provider with PKCE, keeps the token in memory only, and reads as that person', async () => {
    const authorization = page.waitForRequest((r) => r.url().startsWith(`${provider.issuer}/auth?`));
    await page.getByRole('button', { name: 'Logg inn med bedriftskonto' }).click();
    const asked = new URL((await authorization).url()).searchParams;
    expect([asked.get('response_type'), asked.get('code_challenge_method'), asked.get('client_id')]).toEqual([
      'code',
      'S256',
      provider.clientId,
    ]);
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('redirect_uri')).toBe(`${ledger.url}/console/`);
    await page.locator('input[name="login"]').fill('dpo.dina');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.getByRole('heading', { level: 1, name: 'Finn en person' }).waitFor();
    expect(new URL(page.url()).search).toBe(''); // the code and state are gone from the address
    expect(await page.evaluate('[sessionStorage.length, localStorage.length]')).toEqual([0, 0]);
    // Cookies ignore ports: the provider's own session is seen here, and nothing of the console's.
    const cookies = await context.cookies(ledger.url);
    expect(cookies.filter((c) => !c.name.startsWith('_session') || c.value.startsWith('eyJ'))).toEqual([]);
    await page.getByLabel('Referanse eller person-id').fill(ref);
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.getByRole('heading', { level: 1, name: `Person ${subjectId}` }).waitFor();
    const log = page.getByRole('region', { name: 'Hvem har lest opplysningene, og hvorfor' });
    await log.getByRole('cell', { name: 'dpo.dina' }).first().waitFor();
    await page.screenshot({ path: `${SHOTS}/sso-person.png`, fullPage: true });
    const serious = (await new AxeBuilder({ page }).analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(serious.map((v) => v.id)).toEqual([]);
    // A reload forgets the token: the reader signs in again.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
  });
});
