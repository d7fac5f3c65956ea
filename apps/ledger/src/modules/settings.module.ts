import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Policy } from '#ledger/domain';
import { TOKENS } from '../auth/bearer-auth.guard';
import { BearerAuthenticator } from '../auth/bearer-authenticator';
import { OidcVerifier } from '../auth/oidc-verifier';
import type { LedgerConfig } from '../config/ledger-config';
import type { Principal } from '../config/secrets';
import type { DatabaseHost } from './database-host';
import { DATABASE_HOST, LEDGER_CONFIG, MASTER_KEY, POLICY } from './tokens';

/** What start-up has loaded and checked before the application is built. */
export interface LedgerSettings {
  readonly config: LedgerConfig;
  readonly policy: Policy;
  readonly masterKey: Buffer;
  readonly principals: Map<string, Principal>;
  readonly database: DatabaseHost;
}

/** Static tokens, and JWTs of LEDGER_OIDC_ISSUER when it is set. */
function bearerAuthenticator({ principals, config }: LedgerSettings): BearerAuthenticator {
  const verifier = config.oidc && new OidcVerifier(config.oidc);
  return new BearerAuthenticator(principals, verifier ? (token) => verifier.verify(token) : null);
}

/** The validated configuration, the policy, the secrets and the database host, for every module. */
@Global()
@Module({})
export class SettingsModule {
  static register(settings: LedgerSettings): DynamicModule {
    const providers = [
      { provide: LEDGER_CONFIG, useValue: settings.config },
      { provide: POLICY, useValue: settings.policy },
      { provide: MASTER_KEY, useValue: settings.masterKey },
      { provide: TOKENS, useValue: settings.principals },
      { provide: DATABASE_HOST, useValue: settings.database },
      { provide: BearerAuthenticator, useValue: bearerAuthenticator(settings) },
    ];
    return { module: SettingsModule, providers, exports: providers.map((p) => p.provide) };
  }
}
