import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { safeErrorSummary } from '#ledger/postgres';
import type { AuthenticatedRequest } from '../auth/bearer-auth.guard';
import { BearerAuthenticator } from '../auth/bearer-authenticator';
import type { Policy } from '#ledger/domain';
import type { EventStore } from '#ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import { KafkaIngestionService } from '../kafka/kafka-ingestion.service';
import type { KafkaParts } from '../modules/kafka.module';
import { LedgerProjections } from '../modules/ledger-projections';
import { EVENT_STORE, KAFKA, LEDGER_CONFIG, POLICY } from '../modules/tokens';
import { HEALTH_PATHS } from './health-paths';

interface Reply {
  status(code: number): Reply;
}

@ApiTags('operations')
@Controller(HEALTH_PATHS.readiness.slice(1))
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LedgerProjections) private readonly projections: LedgerProjections,
    @Inject(KafkaIngestionService) private readonly ingestion: KafkaIngestionService,
    @Inject(KAFKA) private readonly kafka: KafkaParts | null,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(BearerAuthenticator) private readonly authenticator: BearerAuthenticator,
  ) {}

  /**
   * Liveness only: the process answers. A store outage must not get the pod restarted (it would
   * not help, and the consumer is already waiting it out), so liveness does not look at the store.
   */
  @Get(HEALTH_PATHS.liveness.slice(HEALTH_PATHS.readiness.length + 1))
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok' };
  }

  /**
   * Readiness: 200 when the store answers, every projection runs and Kafka (if set) consumes
   * without stalling; else 503. Probes need no token and learn only the status: the details
   * (store kind, topics, SQLSTATEs) help an attacker as much as ops, so they need the ops token.
   */
  @Get()
  @ApiOperation({
    summary: 'Readiness of the store, Kafka and the projections: `{ status }`, the details with the ops token',
  })
  async health(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: Reply) {
    const started = performance.now();
    let store: { ok: boolean; latencyMs?: number; error?: string };
    try {
      await this.store.ping();
      store = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      store = { ok: false, error: safeErrorSummary(error) };
    }
    const kafka = this.kafka;
    const consuming = this.ingestion.consuming;
    const projections = this.projections.all.map((r) => r.status());
    const retrying = this.ingestion.retrying;
    const stalled = kafka?.source.stalled ?? false;
    const ok =
      store.ok &&
      !retrying &&
      !stalled &&
      projections.every((p) => p.running && p.lastError === null) &&
      (!kafka || consuming);
    reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const status = ok ? 'ok' : 'unavailable';
    if (!(await this.fromOps(request))) return { status };
    return {
      status,
      role: this.config.LEDGER_ROLE,
      store: { kind: this.config.LEDGER_STORE, ...store },
      kafka: kafka
        ? { configured: true, consuming, retrying, stalled, topic: this.config.KAFKA_TOPIC }
        : { configured: false },
      projections,
      policyVersion: this.policy.version,
    };
  }

  /** A static ops token or an ops JWT; a provider that cannot be asked now gives the status only. */
  private async fromOps(request: AuthenticatedRequest): Promise<boolean> {
    const holder = await this.authenticator.authenticate(request).catch(() => undefined);
    return holder?.roles.includes('ops') ?? false;
  }
}
