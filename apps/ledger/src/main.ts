import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { authenticateBeforeParsing, continueOnlyWithToken } from './auth/authenticate-before-parsing';
import { BearerAuthenticator } from './auth/bearer-authenticator';
import { checkServiceSecrets, loadConfig } from './config/ledger-config';
import { loadPolicy } from './config/policy-file';
import { loadOrGenerateMasterKey, loadOrGenerateTokens } from './config/secrets';
import { LedgerMetrics } from './metrics/ledger-metrics';
import { setupOpenApi } from './openapi';
import { openDatabaseHost } from './modules/database-host';

async function bootstrap(): Promise<void> {
  const logger = new Logger('ledger');
  const config = loadConfig();
  checkServiceSecrets(config);
  const { policy, file: policyFile } = loadPolicy(config.LEDGER_POLICY);
  logger.log(`policy ${policy.version} of ${policy.controller.name} from ${policyFile}`);
  const { tokens, file: tokenFile } = loadOrGenerateTokens(config.LEDGER_TOKENS, config.LEDGER_DATA_DIR);
  if (tokenFile) logger.warn(`LEDGER_TOKENS is not set: bearer tokens for each role are in ${tokenFile} (mode 0600)`);
  const { key, generatedFile } = loadOrGenerateMasterKey(
    config.LEDGER_MASTER_KEY,
    config.LEDGER_DATA_DIR,
    config.LEDGER_MASTER_KEY_FILE,
  );
  if (generatedFile)
    logger.warn(
      `LEDGER_MASTER_KEY is not set: using the generated master key in ${generatedFile}; ` +
        'back it up, and set LEDGER_MASTER_KEY in production',
    );

  // The embedded server is a child process: started before the application, stopped if it fails to build.
  const database = await openDatabaseHost(config);
  if (database.note) logger.log(database.note);
  const settings = { config, policy, masterKey: key, principals: tokens, database };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(settings), {
    bodyParser: false,
    abortOnError: false,
  }).catch(async (error: unknown) => {
    await database.stop();
    throw error;
  });
  // No ETag: it would be a hash of a person's data in a header that caches and proxies keep, and
  // a cost on every answer; no X-Powered-By: the framework is nobody's business.
  app.set('etag', false);
  app.disable('x-powered-by');
  const metrics = app.get(LedgerMetrics);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  // helmet's headers, less upgrade-insecure-requests: the service itself speaks plain HTTP (TLS
  // ends before it), where upgrading the /docs page's scripts and styles would break the page.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // Before the parser: a body without a valid token is answered 401 and never read.
  const authenticator = app.get(BearerAuthenticator);
  app.use(authenticateBeforeParsing(authenticator));
  continueOnlyWithToken(app.getHttpServer(), authenticator);
  app.useBodyParser('json', { limit: config.LEDGER_BODY_LIMIT });
  setupOpenApi(app);
  app.enableShutdownHooks();
  await app.listen(config.PORT);
  // Every component has opened (and migrated) by now: the owner's connections are not kept.
  await database.endMigrations();
  logger.log(`listening on port ${config.PORT}: API /v1, OpenAPI /docs, health /health, metrics /metrics`);
  if (config.oidc) logger.log(`single sign-on: JWTs of ${config.oidc.issuer} for ${config.oidc.audience}`);
  if (config.LEDGER_ROLE !== 'all')
    logger.log('LEDGER_ROLE=read: serving reads only; writes answer 421, projections and Kafka run elsewhere');
}

bootstrap().catch((error: unknown) => {
  // Configuration and start-up errors are ours and hold no personal data; print them whole.
  new Logger('ledger').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
