import { execFile } from 'node:child_process';
import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventHash, PostgresEventStore } from '#ledger/event-store';
import { produce, readTopic } from '../support/kafka-client';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');

/** Ed25519 by Node's own crypto, from the served verifier key alone: no code of the ledger's. */
function verifiesIndependently(note: string, verifierKey: string): boolean {
  // The name has no '+'; the base64 key after the id may.
  const [name, , ...rest] = verifierKey.split('+') as [string, string, ...string[]];
  const encoded = rest.join('+');
  const publicKey = Buffer.from(encoded, 'base64').subarray(1);
  const [body, signatures] = note.split('\n\n') as [string, string];
  const line = signatures.split('\n').find((l) => l.startsWith(`\u2014 ${name} `))!;
  const signature = Buffer.from(line.split(' ')[2]!, 'base64').subarray(4);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return verify(null, Buffer.from(`${body}\n`), key, signature);
}

const treeSizeOf = (note: string) => Number(note.split('\n')[1]);

/** Three events of one person, recorded in one transaction. */
const personEvents = (ref: string) => [
  envelope('data.collected', ref, {
    purpose: 'client-assignments',
    fields: { 'contact.email': 'vlog@example.no' },
    collectedFrom: 'subject',
  }),
  envelope('data.used', ref, { purpose: 'security' }),
  envelope('consent.given', ref, { purpose: 'marketing', policyVersion: '2018-05', channel: 'web' }),
];

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 9162 §2.1.1's tree head over leaf hashes, written here from the RFC, in base64. */
function rootOf(leaves: Buffer[]): string {
  const mth = (l: Buffer[]): Buffer => {
    if (l.length === 1) return l[0]!;
    let k = 1;
    while (k * 2 < l.length) k *= 2;
    return sha256(Buffer.from([1]), mth(l.slice(0, k)), mth(l.slice(k)));
  };
  return mth(leaves).toString('base64');
}

/**
 * The verifiable log on the built service (CONTRACT §7): signed checkpoints verified with Node's
 * own Ed25519, proofs that the offline verifier accepts and rejects when altered, and tampering
 * found by `verify --checkpoint` through the CLI on a real PostgreSQL.
 */
describe('the verifiable log (built service, CLI, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let databaseUrl: string;
  let stop: () => Promise<void>;
  const dir = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'ledger-vlog-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cli = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...ledger.env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  /** The latest checkpoint once its tree holds at least `size` leaves (signed within the short interval). */
  const checkpointOfAtLeast = async (size: number): Promise<string> => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const latest = await ledger.get('/v1/checkpoints/latest');
      if (latest.status === 200 && treeSizeOf(latest.body as string) >= size) return latest.body as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no checkpoint of ${size} leaves`);
  };
  const person = async (ref: string) => {
    const posted = await ledger.post({ events: personEvents(ref) });
    expect(posted.status).toBe(201);
    return posted.body.results[0].subjectId as string;
  };

  beforeAll(async () => {
    ({ ledger, databaseUrl, stop } = await LedgerProcess.onFreshDatabase({
      LEDGER_CHECKPOINT_INTERVAL_MS: '200',
      LEDGER_LOG_ORIGIN: 'ledger.e2e/verifiable-log',
    }));
  });
  afterAll(() => stop?.());

  it('signs checkpoints that verify with Node crypto; inclusion and consistency proofs; 404 and 400', async () => {
    expect((await ledger.get('/v1/checkpoints/latest')).status).toBe(404);
    const subjectId = await person(`webcruiter:candidate:${randomUUID().slice(0, 8)}`);
    const first = await checkpointOfAtLeast(3);
    const verifierKey = (await ledger.get('/v1/checkpoints/verifier-key', 'dpo')).body as string;
    expect(verifierKey).toMatch(/^ledger\.e2e\/verifiable-log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
    expect(first.split('\n')[0]).toBe('ledger.e2e/verifiable-log');
    expect(verifiesIndependently(first, verifierKey)).toBe(true);
    const altered = first.replace(
      /^(.*\n)(\d+)\n/,
      (_, origin: string, size: string) => `${origin}${Number(size) + 1}\n`,
    );
    expect(altered).not.toBe(first);
    expect(verifiesIndependently(altered, verifierKey)).toBe(false);
    expect((await ledger.get(`/v1/checkpoints/${treeSizeOf(first)}`, 'ops')).body).toBe(first);
    expect((await ledger.get('/v1/checkpoints/999999')).status).toBe(404);
    expect((await ledger.get('/v1/checkpoints/abc')).status).toBe(400);
    expect((await ledger.get('/v1/checkpoints/latest', 'ingest')).status).toBe(403);
    expect(Object.keys((await ledger.get('/docs-json', null)).body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/checkpoints/latest',
        '/v1/checkpoints/verifier-key',
        '/v1/checkpoints/{treeSize}',
        '/v1/proofs/inclusion',
        '/v1/proofs/consistency',
      ]),
    );

    // The trail shows each event's place in the log; the proof of one agrees and verifies.
    const trail = (await ledger.get(`/v1/subjects/${subjectId}/trail`)).body.entries as Array<{
      eventId: string;
      hash: string;
      logIndex: number | null;
    }>;
    expect(trail.every((e) => Number.isInteger(e.logIndex))).toBe(true);
    const second = trail[1]!;
    const proof = await ledger.get(`/v1/proofs/inclusion?eventId=${second.eventId}&treeSize=${treeSizeOf(first)}`);
    expect(proof.status).toBe(200);
    expect(proof.body.logIndex).toBe(second.logIndex);
    const leaf = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(second.hash, 'hex')]))
      .digest('hex');
    expect(proof.body.leafHash).toBe(leaf);
    const saved = file('inclusion.json', JSON.stringify({ ...proof.body, eventHash: second.hash, checkpoint: first }));
    expect((await cli('verify-proof', '--certificate', saved, '--verifier-key', verifierKey)).code).toBe(0);
    const forged = file(
      'forged.json',
      JSON.stringify({ ...proof.body, logIndex: proof.body.logIndex + 1, checkpoint: first }),
    );
    expect((await cli('verify-proof', '--certificate', forged, '--verifier-key', verifierKey)).code).toBe(3);
    expect((await ledger.get(`/v1/proofs/inclusion?eventId=${randomUUID()}`)).status).toBe(404);
    expect((await ledger.get('/v1/proofs/inclusion?eventId=nope')).status).toBe(400);

    // A later checkpoint extends the first: the consistency proof between them verifies offline.
    await person(`webcruiter:candidate:${randomUUID().slice(0, 8)}`);
    const later = await checkpointOfAtLeast(treeSizeOf(first) + 3);
    const [from, to] = [treeSizeOf(first), treeSizeOf(later)];
    const consistency = await ledger.get(`/v1/proofs/consistency?from=${from}&to=${to}`);
    expect(consistency.body).toMatchObject({ from, to });
    const args = ['--old', file('old.note', first), '--new', file('new.note', later)];
    const keyFile = file('verifier.key', verifierKey);
    const proofFile = file('consistency.json', JSON.stringify(consistency.body));
    const verified = await cli(
      'verify-proof',
      '--consistency',
      ...args,
      '--proof',
      proofFile,
      '--verifier-key',
      keyFile,
    );
    expect([verified.code, verified.stderr]).toEqual([0, expect.stringMatching(`extends the tree of ${from}`)]);
    const swapped = ['--old', args[3]!, '--new', args[1]!, '--proof', proofFile, '--verifier-key', keyFile];
    expect((await cli('verify-proof', '--consistency', ...swapped)).code).toBe(3);
    expect((await ledger.get(`/v1/proofs/consistency?from=${to}&to=${from}`)).status).toBe(400);
    expect((await ledger.get(`/v1/proofs/consistency?from=1&to=${to + 1000}`)).status).toBe(404);
  });

  it("carries the erasure's proof in its certificate; verify-proof accepts it and rejects it altered", async () => {
    const subjectId = await person(`webcruiter:candidate:${randomUUID().slice(0, 8)}`);
    const erased = await ledger.post(
      envelope('erasure.requested', subjectId, { scope: 'all', reason: 'subject-request' }),
    );
    expect(erased.status).toBe(201);
    let certificate: { proof: { eventHash: string; path: string[]; checkpoint: string } | null } = { proof: null };
    for (let attempt = 0; attempt < 100 && !certificate.proof; attempt += 1) {
      certificate = (await ledger.get(`/v1/erasures/${subjectId}`)).body;
      if (!certificate.proof) await new Promise((r) => setTimeout(r, 100));
    }
    expect(certificate.proof).not.toBeNull();
    const key = (await ledger.get('/v1/checkpoints/verifier-key')).body as string;
    const check = (c: object) =>
      cli('verify-proof', '--certificate', file('certificate.json', JSON.stringify(c)), '--verifier-key', key);
    const accepted = await check(certificate);
    expect([accepted.code, accepted.stderr]).toEqual([
      0,
      expect.stringContaining('signed by ledger.e2e/verifiable-log'),
    ]);
    const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
    const proof = certificate.proof!;
    expect((await check({ ...certificate, proof: { ...proof, eventHash: flip(proof.eventHash) } })).code).toBe(3);
    if (proof.path.length > 0) {
      const path = [flip(proof.path[0]!), ...proof.path.slice(1)];
      expect((await check({ ...certificate, proof: { ...proof, path } })).code).toBe(3);
    }
    const otherKey = (
      await cli(
        'verify-proof',
        '--certificate',
        file('c.json', JSON.stringify(certificate)),
        '--verifier-key',
        key.replace(/\+[0-9a-f]{8}\+/, '+00000000+'),
      )
    ).code;
    expect(otherKey).toBe(3);
  });

  it('verify --checkpoint: 3 for a cut end, a deleted stream, a rechained rewrite, an insert; 0 intact', async () => {
    const victim = await person(`webcruiter:candidate:${randomUUID().slice(0, 8)}`);
    await person(`webcruiter:candidate:${randomUUID().slice(0, 8)}`);
    // An access entry is a leaf too: read a person's state, then wait for a tree that holds it.
    expect((await ledger.get(`/v1/subjects/${victim}`, 'dpo')).status).toBe(200);
    const c = new Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      const count = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      const events = await count('SELECT count(*) AS n FROM ledger_events');
      const accesses = await count('SELECT count(*) AS n FROM ledger_access_log');
      const saved = file('saved.note', await checkpointOfAtLeast(events + accesses));
      expect(await count("SELECT count(*) AS n FROM ledger_tree_leaves WHERE kind = 'access'")).toBe(accesses);

      const untouched = await cli('verify', '--checkpoint', saved);
      expect([untouched.code, untouched.stderr]).toEqual([0, expect.stringContaining('the record holds the tree')]);

      const streamId = `subject-${victim}`;
      /** As a superuser would, behind the ledger's back; the stream's rows are put back after the check. */
      const tampered = async (change: () => Promise<unknown>) => {
        await c.query('CREATE TEMP TABLE kept AS SELECT * FROM ledger_events WHERE stream_id = $1', [streamId]);
        await c.query('ALTER TABLE ledger_events DISABLE TRIGGER USER');
        await change();
        const run = await cli('verify', '--checkpoint', saved);
        await c.query('DELETE FROM ledger_events WHERE stream_id = $1', [streamId]);
        await c.query('INSERT INTO ledger_events OVERRIDING SYSTEM VALUE SELECT * FROM kept');
        await c.query('ALTER TABLE ledger_events ENABLE TRIGGER USER');
        await c.query('DROP TABLE kept');
        return run;
      };
      const cutOff = await tampered(() =>
        c.query(
          `DELETE FROM ledger_events WHERE stream_id = $1
             AND revision = (SELECT max(revision) FROM ledger_events WHERE stream_id = $1)`,
          [streamId],
        ),
      );
      expect(cutOff.code).toBe(3);
      expect(cutOff.stderr).toMatch(/TAMPERED: leaf \d+/);
      expect((await cli('verify')).code).toBe(0); // the chains alone do not see it
      const deleted = await tampered(() => c.query('DELETE FROM ledger_events WHERE stream_id = $1', [streamId]));
      expect(deleted.code).toBe(3);
      expect(JSON.parse(deleted.stdout.trim())).toMatchObject({ ok: false, kind: 'event' });
      // One event's data rewritten and the whole chain recomputed over it: every chain holds again.
      const store = await PostgresEventStore.open({ url: databaseUrl });
      try {
        const rewritten = await tampered(async () => {
          await c.query(
            `UPDATE ledger_events SET data = '{"purpose":"marketing"}' WHERE stream_id = $1 AND revision = 1`,
            [streamId],
          );
          let previous: string | null = null;
          for (const e of await store.readStream(streamId)) {
            const hash = eventHash(streamId, e.revision, e, previous);
            await c.query(
              'UPDATE ledger_events SET hash = $3, previous_hash = $4 WHERE stream_id = $1 AND revision = $2',
              [streamId, e.revision, hash, previous],
            );
            previous = hash;
          }
          expect((await cli('verify')).code).toBe(0);
        });
        expect(rewritten.code).toBe(3);
        const trail = (await ledger.get(`/v1/subjects/${victim}/trail`)).body.entries as Array<{ logIndex: number }>;
        expect(JSON.parse(rewritten.stdout.trim())).toMatchObject({ reason: 'differs', logIndex: trail[1]!.logIndex });

        // An event forged onto the stream's end, chained and placed in its transaction: mid-feed.
        const inserted = await tampered(async () => {
          const last = (await store.readStream(streamId)).at(-1)!;
          const forged = { ...last, eventId: randomUUID(), type: 'data.used', data: { purpose: 'security' } };
          const hash = eventHash(streamId, last.revision + 1, forged, last.hash);
          await c.query(
            `INSERT INTO ledger_events (position, tx_id, stream_id, revision, event_id, type, data, personal, meta,
                                        recorded_at, hash, previous_hash)
             OVERRIDING SYSTEM VALUE
             SELECT (SELECT max(position) + 1 FROM ledger_events), tx_id, stream_id, $2, $3, $4, $5, NULL, meta,
                    recorded_at, $6, hash
               FROM ledger_events WHERE event_id = $1`,
            [last.eventId, last.revision + 1, forged.eventId, forged.type, forged.data, hash],
          );
          expect((await cli('verify')).code).toBe(0);
        });
        expect(inserted.code).toBe(3);
        // The forged event takes the next event's place in feed order; access entries (the trail
        // read above logs one) keep the places the tree gave them, so it is the next event leaf.
        const nextEventLeaf = await c.query<{ i: string | null }>(
          "SELECT min(log_index) AS i FROM ledger_tree_leaves WHERE kind = 'event' AND log_index > $1",
          [trail[2]!.logIndex],
        );
        expect(nextEventLeaf.rows[0]!.i).not.toBeNull();
        expect(JSON.parse(inserted.stdout.trim())).toMatchObject({
          reason: 'differs',
          logIndex: Number(nextEventLeaf.rows[0]!.i),
        });
      } finally {
        await store.close();
      }

      expect((await cli('verify', '--checkpoint', saved)).code).toBe(0);
      const wrongKey = await cli(
        'verify',
        '--checkpoint',
        saved,
        '--verifier-key',
        `other+00000000+AQ${'A'.repeat(42)}`,
      );
      expect(wrongKey.code).toBe(3);
    } finally {
      await c.end();
    }
  });

  it('publishes each checkpoint on the ledger topic, as served; a consumer rebuilds its root', async () => {
    if (!process.env.LEDGER_TEST_KAFKA_BROKERS) throw new Error('no test Kafka broker');
    const topic = `ledger-vlog-${randomUUID().slice(0, 8)}`;
    await produce(topic, [], 3);
    // One partition: the consumer reads the events in the order the feed published them.
    await produce(`${topic}-ledger`, [], 1);
    const withKafka = await LedgerProcess.onFreshDatabase({
      LEDGER_CHECKPOINT_INTERVAL_MS: '200',
      KAFKA_BROKERS: process.env.LEDGER_TEST_KAFKA_BROKERS,
      KAFKA_TOPIC: topic,
      KAFKA_GROUP_ID: `${topic}-group`,
      KAFKA_LEDGER_TOPIC: `${topic}-ledger`,
    });
    try {
      const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
      const posted = await withKafka.ledger.post({ events: personEvents(ref) });
      expect(posted.status).toBe(201);
      const messages = await readTopic(`${topic}-ledger`, 4, 30_000);
      const checkpoints = messages.filter((m) => m.headers.kind === 'checkpoint');
      expect(checkpoints).toHaveLength(1);
      // The consumer's own tree over the published events' hashes (no access entry was written here).
      const hashes = [...new Map(messages.filter((m) => m.headers['event-id']).map((m) => [m.headers['event-id'], m]))]
        .map(([, m]) => JSON.parse(m.value).hash as string)
        .slice(0, treeSizeOf(checkpoints[0]!.value));
      expect(hashes).toHaveLength(treeSizeOf(checkpoints[0]!.value));
      expect(rootOf(hashes.map((h) => sha256(Buffer.from([0]), Buffer.from(h, 'hex'))))).toBe(
        checkpoints[0]!.value.split('\n')[2],
      );
      const served = (await withKafka.ledger.get(`/v1/checkpoints/${treeSizeOf(checkpoints[0]!.value)}`)).body;
      expect(checkpoints[0]!.value).toBe(served);
      expect(checkpoints[0]!.key).toBe(served.split('\n')[0]);
      const key = (await withKafka.ledger.get('/v1/checkpoints/verifier-key')).body as string;
      expect(verifiesIndependently(checkpoints[0]!.value, key)).toBe(true);
    } finally {
      await withKafka.stop();
    }
  });
});
