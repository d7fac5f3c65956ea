import type { LedgerConfig } from '../config/ledger-config';

/** What the console must know to sign in by OpenID Connect; null: a pasted bearer token. */
export interface ConsoleOidc {
  readonly issuer: string;
  readonly clientId: string;
  readonly audience: string;
}

/** The console's `config.json`: nothing secret, the same for every visitor. */
export interface ConsoleSettings {
  readonly oidc: ConsoleOidc | null;
}

/** The sign-in settings from the service's OIDC configuration, when it has one. */
export function consoleSettingsOf(config: LedgerConfig & { oidc?: Partial<ConsoleOidc> | null }): ConsoleSettings {
  const { issuer, clientId, audience } = config.oidc ?? {};
  return { oidc: issuer && clientId && audience ? { issuer, clientId, audience } : null };
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only, never inline, never in a
 * frame; it talks to the service and, with OIDC, to the issuer's origin (discovery, token).
 */
export function consoleCsp(settings: ConsoleSettings): string {
  const issuer = settings.oidc ? ` ${new URL(settings.oidc.issuer).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${issuer}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    `form-action 'self'${issuer}`,
  ].join('; ');
}
