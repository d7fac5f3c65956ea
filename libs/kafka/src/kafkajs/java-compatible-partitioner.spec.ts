import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { javaCompatiblePartitioner, murmur2 } from './java-compatible-partitioner';

const partitions = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));

describe('the Java-compatible partitioner', () => {
  it("hashes as Kafka's murmur2 does (values from the Java client's tests)", () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it("puts every key where kafkajs's default partitioner puts it", () => {
    const ours = javaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys: Array<string | Buffer> = [];
    for (let i = 0; i < 5000; i += 1) {
      keys.push(randomUUID(), randomBytes(i % 41), `${randomBytes(i % 13).toString('latin1')}ø✓${i}`);
    }
    for (const [i, key] of keys.entries()) {
      const args = { topic: 't', partitionMetadata: partitions(1 + (i % 12)), message: { key, value: null } };
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it('keeps a partition the message names', () => {
    const partition = javaCompatiblePartitioner()({
      topic: 't',
      partitionMetadata: partitions(6),
      message: { key: 'k', value: null, partition: 4 },
    });
    expect(partition).toBe(4);
  });

  it('sends messages without a key round the partitions that have a leader', () => {
    const partitioner = javaCompatiblePartitioner();
    const chosen = Array.from({ length: 60 }, () =>
      partitioner({ topic: 't', partitionMetadata: partitions(6, [1, 4]), message: { value: null } }),
    );
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3, 5]));
    expect(chosen.slice(4, 8)).toEqual(chosen.slice(0, 4));
  });
});
