import { parseTokens } from '../config/secrets';
import { BearerAuthenticator } from './bearer-authenticator';
import type { TokenHolder } from './oidc-claims';

const STATIC = 'd'.repeat(40);
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const request = (authorization?: string) => ({ headers: { authorization } });

describe('the bearer authenticator', () => {
  const tokens = parseTokens(`dpo:kari:${STATIC}`);
  const jwtHolder: TokenHolder = { name: 'dina', roles: ['auditor', 'dpo'] };
  let checks: string[];
  const authenticator = () =>
    new BearerAuthenticator(tokens, async (token) => {
      checks.push(token);
      return token === JWT ? jwtHolder : undefined;
    });
  beforeEach(() => (checks = []));

  it('knows a static token by its holder and its one role, without asking the JWT check', async () => {
    expect(await authenticator().authenticate(request(`Bearer ${STATIC}`))).toEqual({ name: 'kari', roles: ['dpo'] });
    expect(checks).toEqual([]);
  });

  it('hands a JWT to the JWT check, and nothing else', async () => {
    const a = authenticator();
    expect(await a.authenticate(request(`Bearer ${JWT}`))).toEqual(jwtHolder);
    expect(await a.authenticate(request('Bearer not-a-jwt-and-not-ours-either-0123456789'))).toBeUndefined();
    expect(await a.authenticate(request(`Basic ${STATIC}`))).toBeUndefined();
    expect(await a.authenticate(request())).toBeUndefined();
    expect(checks).toEqual([JWT]);
  });

  it('checks a request once, for the middleware before the body and the guard after it', async () => {
    const a = authenticator();
    const req = request(`Bearer ${JWT}`);
    await a.authenticate(req);
    await a.authenticate(req);
    expect(checks).toEqual([JWT]);
  });

  it('refuses every JWT without OIDC configured', async () => {
    expect(await new BearerAuthenticator(tokens, null).authenticate(request(`Bearer ${JWT}`))).toBeUndefined();
  });

  it('passes on a check that cannot be made, for a 503 rather than a 401', async () => {
    const down = new BearerAuthenticator(tokens, () => Promise.reject(new Error('keys unavailable')));
    await expect(down.authenticate(request(`Bearer ${JWT}`))).rejects.toThrow('keys unavailable');
  });
});
