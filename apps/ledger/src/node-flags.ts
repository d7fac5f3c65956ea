/**
 * The node flags the service runs with: package.json's start scripts and the image's CMD pass
 * them, the benchmark and the end-to-end tests start the service with them, and a test holds
 * the three together.
 *
 * A young generation of 2 × 32 MB (V8 sizes it at 2 × 16 MB or less here): a batch in flight
 * (1,000 envelopes over HTTP, a partition's fetch on Kafka) lives through several scavenges of a
 * smaller one, and each scavenge copies all of it again. Measured with `npm run bench` on this
 * machine, alternating runs: Kafka 10,479 and 11,009 envelopes/s against 9,422 and 9,763; HTTP
 * 6,206 and 6,129 against 5,195 and 5,689; the service's peak RSS 503–563 MB against 438–455.
 * 64 MB was no faster and peaked at 700 MB.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
