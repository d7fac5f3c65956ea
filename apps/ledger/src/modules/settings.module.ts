import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Policy } from '#ledger/domain';
import { TOKENS } from '../auth/bearer-auth.guard';
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
    ];
    return { module: SettingsModule, providers, exports: providers.map((p) => p.provide) };
  }
}
