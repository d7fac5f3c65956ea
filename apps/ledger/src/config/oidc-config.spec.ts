import 'reflect-metadata';
import { loadConfig } from './ledger-config';

describe('the single sign-on configuration', () => {
  const issuer = 'https://login.example.no/tenant/v2.0';

  it('is off without LEDGER_OIDC_ISSUER', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('takes the claims by their defaults and the client id from the audience', () => {
    expect(loadConfig({ LEDGER_OIDC_ISSUER: issuer, LEDGER_OIDC_AUDIENCE: 'api://ledger' }).oidc).toEqual({
      issuer,
      audience: 'api://ledger',
      clientId: 'api://ledger',
      rolesClaim: 'roles',
      nameClaim: 'preferred_username',
    });
  });

  it('takes the claims and the client id as configured', () => {
    const env = {
      LEDGER_OIDC_ISSUER: 'http://127.0.0.1:4000',
      LEDGER_OIDC_AUDIENCE: 'ledger',
      LEDGER_OIDC_CLIENT_ID: 'ledger-console',
      LEDGER_OIDC_ROLES_CLAIM: 'groups',
      LEDGER_OIDC_NAME_CLAIM: 'email',
    };
    expect(loadConfig(env).oidc).toEqual({
      issuer: 'http://127.0.0.1:4000',
      audience: 'ledger',
      clientId: 'ledger-console',
      rolesClaim: 'groups',
      nameClaim: 'email',
    });
  });

  it('needs the audience with an issuer, and names it', () => {
    expect(() => loadConfig({ LEDGER_OIDC_ISSUER: issuer })).toThrow(/LEDGER_OIDC_ISSUER needs LEDGER_OIDC_AUDIENCE/);
  });

  it('refuses an audience or client id without an issuer, which would leave sign-on off unnoticed', () => {
    expect(() => loadConfig({ LEDGER_OIDC_AUDIENCE: 'ledger' })).toThrow(/LEDGER_OIDC_AUDIENCE is set without/);
    expect(() => loadConfig({ LEDGER_OIDC_CLIENT_ID: 'console' })).toThrow(/LEDGER_OIDC_CLIENT_ID is set without/);
  });

  it.each([
    ['http://idp.example.no', /must be an https URL/],
    ['http://10.0.0.1:8080', /must be an https URL/],
    ['not a url', /must be a URL/],
    ['https://idp.example.no/?tenant=a', /no query or fragment/],
  ])('refuses the issuer %s', (bad, message) => {
    expect(() => loadConfig({ LEDGER_OIDC_ISSUER: bad, LEDGER_OIDC_AUDIENCE: 'ledger' })).toThrow(message);
  });

  it('accepts plain http on the loopback only, where a test runs its provider', () => {
    const oidc = loadConfig({ LEDGER_OIDC_ISSUER: 'http://localhost:9000/oidc', LEDGER_OIDC_AUDIENCE: 'x' }).oidc;
    expect(oidc?.issuer).toBe('http://localhost:9000/oidc');
  });
});
