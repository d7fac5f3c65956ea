import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { encodeJwt, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { envelope } from './support/envelopes';
import { freePort, LedgerProcess } from './support/ledger-process';

const UNAUTHORIZED = { error: 'unauthorized', message: 'a valid bearer token is required' };

/** Single sign-on (CONTRACT §6): JWTs of a real OpenID provider, beside the static tokens. */
describe('single sign-on with OIDC JWTs (built service, a real OpenID provider)', () => {
  let provider: TestOidcProvider;
  let stranger: TestOidcProvider;
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  let subjectId: string;

  const as = async (token: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${ledger.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'x-access-reason': 'SSO test', ...init.headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const accessLog = async () =>
    ((await ledger.get(`/v1/access-log?subjectId=${subjectId}`, 'dpo')).body.entries as Array<Record<string, string>>)
      .filter((e) => e.resource === 'state')
      .map((e) => [e.name, e.role]);

  beforeAll(async () => {
    provider = await startOidcProvider();
    stranger = await startOidcProvider();
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase(provider.ledgerEnv()));
    const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
    const posted = await ledger.post(
      envelope('data.collected', ref, {
        purpose: 'client-assignments',
        fields: { 'contact.email': 'sso.person@example.no' },
        collectedFrom: 'processor',
      }),
    );
    expect(posted.status).toBe(201);
    subjectId = posted.body.results[0].subjectId;
  });
  afterAll(async () => {
    await stop?.();
    await provider?.stop();
    await stranger?.stop();
  });

  it("lets a dpo's JWT read a person, and logs the read under the token's name", async () => {
    const read = await as(provider.issueAccessToken({ roles: ['dpo'], name: 'dpo.dina' }), `/v1/subjects/${subjectId}`);
    expect(read.status).toBe(200);
    expect(read.body.subjectId).toBe(subjectId);
    expect(await accessLog()).toContainEqual(['dpo.dina', 'dpo']);
  });

  it('accepts the access token the provider itself issues to the console (code flow with PKCE)', async () => {
    // The console's redirect URI on the ledger's own port, which the provider did not know when it started.
    const { accessToken } = await provider.signInWithCode('auditor.aud', `${ledger.url}/console/`);
    const read = await as(accessToken, `/v1/subjects/${subjectId}`);
    expect(read.status).toBe(200);
    expect(await accessLog()).toContainEqual(['auditor.aud', 'auditor']);
    // An auditor's token does not open a dpo's route.
    expect((await as(accessToken, `/v1/subjects/${subjectId}/accesses`)).status).toBe(403);
  });

  it("shows /health's details to an ops JWT, and only the status to another role", async () => {
    const ops = await as(provider.issueAccessToken({ roles: ['ops'], name: 'ops.olav' }), '/health');
    expect(ops.body).toMatchObject({ store: { ok: true }, projections: expect.any(Array) });
    const dpo = await as(provider.issueAccessToken({ roles: ['dpo'], name: 'dpo.dina' }), '/health');
    expect(Object.keys(dpo.body)).toEqual(['status']);
  });

  it('counts only the ledger roles of a space-separated claim, and names by sub without a name', async () => {
    const sub = `s-${randomUUID().slice(0, 8)}`;
    const token = provider.issueAccessToken({ roles: 'Global.Admin auditor', name: undefined, sub });
    expect((await as(token, `/v1/subjects/${subjectId}`)).status).toBe(200);
    expect(await accessLog()).toContainEqual([sub, 'auditor']);
  });

  it('takes a body with an ingest JWT, and answers a bad JWT 401 before parsing the body', async () => {
    const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
    const post = (token: string, body: string) =>
      as(token, '/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const ingest = provider.issueAccessToken({ roles: ['ingest'], name: 'etl' });
    expect((await post(ingest, JSON.stringify(envelope('data.used', ref, { purpose: 'security' })))).status).toBe(201);
    // Not JSON: parsed, it would be a 400; refused before the parser, it is the 401.
    expect((await post(ingest, '{not json')).status).toBe(400);
    const forged = stranger.issueAccessToken({ roles: ['ingest'], name: 'etl', iss: provider.issuer });
    expect(await post(forged, '{not json')).toEqual({ status: 401, body: UNAUTHORIZED });
  });

  describe('refuses', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = () => ({
      iss: provider.issuer,
      aud: provider.audience,
      sub: 'mallory',
      preferred_username: 'dpo.dina',
      roles: ['dpo'],
      iat: now(),
      exp: now() + 300,
    });
    const refused = async (token: string, status = 401) => {
      const read = await as(token, `/v1/subjects/${subjectId}`);
      expect(read.status).toBe(status);
      return read.body;
    };

    it('an expired JWT', async () => {
      const token = provider.issueAccessToken({ roles: ['dpo'], iat: now() - 900, exp: now() - 600 });
      expect(await refused(token)).toEqual(UNAUTHORIZED);
    });

    it('a JWT of another issuer, and one that names ours but is signed with a key not its own', async () => {
      expect(await refused(stranger.issueAccessToken({ roles: ['dpo'] }))).toEqual(UNAUTHORIZED);
      expect(await refused(stranger.issueAccessToken({ roles: ['dpo'], iss: provider.issuer }))).toEqual(UNAUTHORIZED);
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const borrowedKid = encodeJwt({ alg: 'RS256', kid: provider.keyId }, claims(), (input) =>
        sign('sha256', input, privateKey),
      );
      expect(await refused(borrowedKid)).toEqual(UNAUTHORIZED);
    });

    it('a JWT for another audience', async () => {
      expect(await refused(provider.issueAccessToken({ roles: ['dpo'], aud: 'another-api' }))).toEqual(UNAUTHORIZED);
    });

    it('an unsigned JWT (alg none)', async () => {
      expect(await refused(encodeJwt({ alg: 'none', typ: 'JWT' }, claims()))).toEqual(UNAUTHORIZED);
      expect(await refused(encodeJwt({ alg: 'none', kid: provider.keyId }, claims()))).toEqual(UNAUTHORIZED);
    });

    it("a JWT signed HS256 with the provider's RS256 public key as the secret", async () => {
      for (const secret of [
        provider.publicKey.export({ type: 'spki', format: 'pem' }),
        JSON.stringify(provider.publicKey.export({ format: 'jwk' })),
      ]) {
        const token = encodeJwt({ alg: 'HS256', kid: provider.keyId }, claims(), (input) =>
          createHmac('sha256', secret).update(input).digest(),
        );
        expect(await refused(token)).toEqual(UNAUTHORIZED);
      }
    });

    it('a JWT without the role claim, or with no role of the ledger: 403', async () => {
      const forbidden = { error: 'forbidden', message: 'this needs one of the roles: auditor, dpo' };
      expect(await refused(provider.issueAccessToken({ roles: undefined, name: 'nils' }), 403)).toEqual(forbidden);
      expect(await refused(provider.issueAccessToken({ roles: ['admin'], name: 'nils' }), 403)).toEqual(forbidden);
      const { accessToken } = await provider.signInWithCode('nobody.nils');
      expect(await refused(accessToken, 403)).toEqual(forbidden);
    });

    it('and a JWT whose signature was altered', async () => {
      const token = provider.issueAccessToken({ roles: ['dpo'] });
      const [header, , signature] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims(), roles: ['dpo', 'ops'] })).toString('base64url');
      expect(await refused(`${header}.${payload}.${signature}`)).toEqual(UNAUTHORIZED);
    });
  });

  it('answers 503 OIDC_UNAVAILABLE while the provider cannot be reached, and keeps the static tokens', async () => {
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    const reader = await LedgerProcess.start({
      ...ledger.env,
      LEDGER_ROLE: 'read',
      LEDGER_OIDC_ISSUER: deadIssuer,
    });
    try {
      const token = encodeJwt({ alg: 'RS256', kid: 'k' }, { iss: deadIssuer, aud: provider.audience }, () =>
        Buffer.from('x'),
      );
      const response = await fetch(`${reader.url}/v1/subjects/${subjectId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toEqual({
        error: 'unavailable',
        code: 'OIDC_UNAVAILABLE',
        message: "the OpenID provider's keys cannot be fetched; retry, or use a static token",
      });
      expect((await reader.get(`/v1/subjects/${subjectId}`, 'auditor')).status).toBe(200);
      expect(reader.output.join('')).not.toContain(token);
    } finally {
      await reader.stop();
    }
  });

  it('writes no token into its output', () => {
    expect(ledger.output.join('')).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
