import { Injectable } from '@nestjs/common';
import type { InboundEnvelope } from '#ledger/domain';
import type { RecordResult } from '#ledger/recording';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics. Labels hold only fixed vocabularies (event types, rule codes,
 * route templates, projection names): never an id, a ref or a value.
 */
@Injectable()
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly envelopes = new Counter({
    name: 'ledger_envelopes_total',
    help: 'Envelopes handled, by type and outcome (recorded, duplicate, rejected)',
    labelNames: ['type', 'status', 'channel'] as const,
    registers: [this.registry],
  });
  readonly rejections = new Counter({
    name: 'ledger_rejections_total',
    help: 'Envelopes refused, by stable code',
    labelNames: ['code', 'channel'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly projectionBatchAge = new Gauge({
    name: 'ledger_projection_last_batch_age_seconds',
    help: 'Seconds since each projection last applied a batch',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly trailsBroken = new Counter({
    name: 'ledger_trail_verification_failures_total',
    help: "Trail reads whose hash chain did not verify (a stored event changed behind the ledger's back)",
    registers: [this.registry],
  });
  readonly stateReads = new Counter({
    name: 'ledger_state_reads_total',
    help:
      "State reads by freshness: current (the read model showed the subject's last write), " +
      'waited (it did after a wait), behind (served when LEDGER_READ_YOUR_WRITES_MS ran out)',
    labelNames: ['freshness'] as const,
    registers: [this.registry],
  });
  readonly kafkaRecords = new Counter({
    name: 'ledger_kafka_records_total',
    help: 'Kafka messages handled, by outcome (recorded, duplicate, dead-lettered)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly kafkaDeadLetters = new Counter({
    name: 'ledger_kafka_dead_letters_total',
    help: 'Kafka messages sent to the dead-letter topic, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly kafkaRetries = new Counter({
    name: 'ledger_kafka_retries_total',
    help: 'Kafka batches retried, by reason (store-unavailable, error)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly kafkaLag = new Gauge({
    name: 'ledger_kafka_consumer_lag',
    help: 'Messages in the inbound topic not yet committed by the consumer group',
    registers: [this.registry],
  });

  readonly requestsOverdue = new Gauge({
    name: 'ledger_requests_overdue',
    help: 'Data-subject requests still open after their due date ended (Europe/Oslo)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_' });
  }

  /** Counts what became of each envelope of a batch that came in on `channel`. */
  countOutcomes(envelopes: readonly InboundEnvelope[], result: RecordResult, channel: 'http' | 'kafka'): void {
    for (const outcome of result.outcomes) {
      this.envelopes.inc({ type: envelopes[outcome.index]!.type, status: outcome.status, channel });
      if (outcome.status === 'rejected') this.rejections.inc({ code: outcome.error.code, channel });
    }
  }
}
