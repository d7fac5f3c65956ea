import type { LedgerConfig } from '../config/ledger-config';
import { consoleCsp, consoleSettingsOf } from './console-settings';

const config = (oidc?: object) => ({ PORT: 3000, ...(oidc ? { oidc } : {}) }) as unknown as LedgerConfig;

describe("the console's settings and Content-Security-Policy", () => {
  it('without OIDC: a pasted token, and a policy of the service itself only', () => {
    const settings = consoleSettingsOf(config());
    expect(settings).toEqual({ oidc: null });
    const csp = consoleCsp(settings);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe|\*|data:/);
  });

  it("with OIDC: the issuer's origin may be called and posted to, and nothing secret is handed out", () => {
    const settings = consoleSettingsOf(
      config({
        issuer: 'https://login.example.com/tenant/v2.0',
        audience: 'api://ledger',
        clientId: 'ledger-console',
        rolesClaim: 'roles',
        nameClaim: 'preferred_username',
      }),
    );
    expect(settings).toEqual({
      oidc: { issuer: 'https://login.example.com/tenant/v2.0', clientId: 'ledger-console', audience: 'api://ledger' },
    });
    const csp = consoleCsp(settings).split('; ');
    expect(csp).toContain("connect-src 'self' https://login.example.com");
    expect(csp).toContain("form-action 'self' https://login.example.com");
    expect(csp).toContain("script-src 'self'");
  });
});
