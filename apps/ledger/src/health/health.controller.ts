import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { safeErrorSummary } from '#ledger/postgres';
import { LedgerRuntime } from '../runtime/ledger-runtime';

interface Reply {
  status(code: number): Reply;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(LedgerRuntime) private readonly runtime: LedgerRuntime) {}

  /** Liveness and readiness: 200 when the store answers and every projection runs; else 503. */
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness of the store, Kafka and the projections' })
  async health(@Res({ passthrough: true }) reply: Reply) {
    const started = performance.now();
    let store: { ok: boolean; latencyMs?: number; error?: string };
    try {
      await this.runtime.store.ping();
      store = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      store = { ok: false, error: safeErrorSummary(error) };
    }
    const projections = this.runtime.runners.map((r) => r.status());
    const ok = store.ok && projections.every((p) => p.running && p.lastError === null);
    reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'degraded',
      store: { kind: this.runtime.config.LEDGER_STORE, ...store },
      kafka: { configured: Boolean(this.runtime.config.KAFKA_BROKERS) },
      projections,
      policyVersion: this.runtime.policy.version,
    };
  }
}
