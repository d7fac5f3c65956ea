import { Keyring } from '#ledger/crypto';
import { replayDeadLetters } from '#ledger/kafka';
import { loadOrGenerateMasterKey } from '../config/secrets';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

/**
 * `dlq replay`: re-submits the dead letters of `<KAFKA_TOPIC>.dlq` whose dead-letter key is alive
 * to KAFKA_TOPIC, keyed by their ref again, in its own consumer group (`<KAFKA_GROUP_ID>-dlq-replay`)
 * so each letter is replayed once. Letters whose key is destroyed are counted and skipped. It
 * prints counts only: a letter's values are opened in memory and go nowhere but the inbound topic.
 */
export async function dlqReplay(context: CliContext, report: Reporter): Promise<number> {
  const { config } = context;
  const connection = context.kafka();
  if (!connection) {
    report.error('KAFKA_BROKERS is not set: there is no dead-letter topic to replay');
    return 2;
  }
  const { key } = loadOrGenerateMasterKey(config.LEDGER_MASTER_KEY, config.LEDGER_DATA_DIR);
  const keyring = await Keyring.open(context.pool, key);
  const counts = await replayDeadLetters({
    connection,
    topic: config.KAFKA_TOPIC,
    groupId: `${config.KAFKA_GROUP_ID}-dlq-replay`,
    open: await keyring.deadLetterOpener(),
    onProgress: (read) => report.progress('dead letters read', read),
  });
  report.line(
    `dead letters read: ${counts.read}; re-submitted to ${config.KAFKA_TOPIC}: ${counts.replayed}; ` +
      `skipped, key destroyed: ${counts.keyDestroyed}; skipped, cut down or unreadable: ${counts.notReplayable}`,
  );
  return 0;
}
