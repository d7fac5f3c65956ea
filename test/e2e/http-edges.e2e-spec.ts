import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { envelope } from './support/envelopes';
import { freePort, LEDGER_TOKENS, LedgerProcess, TOKEN_NAMES, TOKENS } from './support/ledger-process';

/**
 * The service's edges (CONTRACT §5-§6): who may send a body, how large, which headers go out,
 * who reads /metrics, how often a token may read, why it reads, and who read whom across people.
 */
const MB = 1024 * 1024;
/** Three MB of small objects: cheap as bytes, costly once parsed, so a parse would show in RSS. */
const bigBody = Buffer.from(`[${Array.from({ length: (3 * MB) / 8 }, () => '{"a":1}').join(',')}]`);

const rss = async (ledger: LedgerProcess): Promise<number> => {
  const metrics = await ledger.get('/metrics', 'ops');
  expect(metrics.status).toBe(200);
  return Number(/^ledger_process_resident_memory_bytes (\d+)$/m.exec(metrics.body as string)![1]);
};

const postRaw = (ledger: LedgerProcess, body: Buffer, authorization?: string) =>
  fetch(`${ledger.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  });

const collect = (ref: string) =>
  envelope('data.collected', ref, {
    purpose: 'client-assignments',
    fields: { 'contact.email': 'kari@example.no' },
    collectedFrom: 'processor',
  });

describe('the edges of the service (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase({ METRICS_PORT: String(metricsPort) }));
  });
  afterAll(() => stop?.());

  it('answers a 3 MB body without a valid token 401 without reading it; its memory does not grow by it', async () => {
    const before = await rss(ledger);
    for (let round = 0; round < 6; round += 1) {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          postRaw(ledger, bigBody, i % 2 === 0 ? undefined : 'Bearer not-a-token-of-ours-0123456789abcdef'),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(await answer.json()).toEqual({ error: 'unauthorized', message: 'a valid bearer token is required' });
      }
    }
    // 90 MB were sent. Read and dropped unparsed, they leave only what the collector has not yet
    // given back (more on newer Node); parsed, five at a time, they are over 200 MB of objects.
    expect((await rss(ledger)) - before).toBeLessThan(100 * MB);
    // Not parsed at all: a body that is not JSON is 401 without a token, not 400.
    const broken = await postRaw(ledger, Buffer.concat([bigBody, Buffer.from('}{')]));
    expect(broken.status).toBe(401);
  });

  it('tells a client that asks first (Expect: 100-continue) not to send its body without a valid token', async () => {
    const ask = (authorization?: string) =>
      new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
        let continued = false;
        const req = request(`${ledger.url}/v1/events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': bigBody.length,
            expect: '100-continue',
            ...(authorization ? { authorization } : {}),
          },
        });
        req.on('continue', () => {
          continued = true;
          req.end(bigBody);
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve({ continued, status: res.statusCode! }));
          if (!continued) req.destroy();
        });
        req.on('error', reject);
      });
    expect(await ask()).toEqual({ continued: false, status: 401 });
    expect(await ask(`Bearer ${TOKENS.ingest}`)).toEqual({ continued: true, status: 413 });
  });

  it('answers a body over LEDGER_BODY_LIMIT with a token 413, naming the limit', async () => {
    const answer = await postRaw(ledger, bigBody, `Bearer ${TOKENS.ingest}`);
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      error: 'too_large',
      message: `the body is larger than LEDGER_BODY_LIMIT (${2 * MB} bytes)`,
    });
    expect((await ledger.post(collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`))).status).toBe(201);
  });

  it('serves /metrics to the ops token only, and without a token on METRICS_PORT', async () => {
    expect(await ledger.get('/metrics', null)).toEqual({
      status: 401,
      body: { error: 'unauthorized', message: 'a valid bearer token is required' },
    });
    expect((await ledger.get('/metrics', 'auditor')).status).toBe(403);
    expect((await ledger.get('/metrics', 'ops')).body).toMatch(
      /^ledger_envelopes_total\{type="data.collected",status="recorded",channel="http"\} \d+$/m,
    );
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^ledger_process_resident_memory_bytes \d+$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/access-log`)).status).toBe(404);
  });

  it("sends helmet's headers, and the OpenAPI page's scripts and styles are all its own", async () => {
    const health = await fetch(`${ledger.url}/health`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(health.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(health.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(health.headers.get('x-powered-by')).toBeNull();

    const docs = await fetch(`${ledger.url}/docs`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    // script-src 'self': every script is a file of ours, none inline; each one loads.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => /src="([^"]+)"/.exec(m[1])?.[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).toMatch(/^\.\//);
      expect((await fetch(new URL(src!, `${ledger.url}/docs`))).status).toBe(200);
    }
    expect(docs.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('takes an X-Access-Reason of up to 200 characters and refuses a longer one', async () => {
    const subjectId = (await ledger.post(collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`))).body.results[0]
      .subjectId;
    const long = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'r'.repeat(201) });
    expect(long).toEqual({
      status: 400,
      body: {
        error: 'validation',
        details: [{ path: 'X-Access-Reason', message: 'X-Access-Reason must be at most 200 characters' }],
      },
    });
    expect(
      (await ledger.get(`/v1/subjects/${subjectId}/trail`, 'dpo', { 'X-Access-Reason': 'r'.repeat(201) })).status,
    ).toBe(400);
    const read = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'r'.repeat(200) });
    expect(read.status).toBe(200);
    expect(read.body.data['contact.email'].value).toBe('kari@example.no');
    // Without the optional reason, as before.
    expect((await ledger.get(`/v1/subjects/${subjectId}`, 'dpo')).status).toBe(200);
  });

  it('lists who read whom, newest first, by name and subject, a page at a time; for the DPO only', async () => {
    const posted = await ledger.post({
      events: [
        collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`),
        collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`),
      ],
    });
    const [a, b] = posted.body.results.map((r: { subjectId: string }) => r.subjectId);
    const since = new Date().toISOString();
    expect((await ledger.get(`/v1/subjects/${a}`, 'auditor')).status).toBe(200);
    expect((await ledger.get(`/v1/subjects/${b}/trail`, 'auditor')).status).toBe(200);
    expect((await ledger.get(`/v1/subjects/${a}/trail`, 'dpo')).status).toBe(200);
    expect((await ledger.get(`/v1/subjects/${b}`, 'auditor', { 'X-Access-Reason': 'case 12' })).status).toBe(200);

    const list = async (query: string) => {
      const answer = await ledger.get(`/v1/access-log?${query}`, 'dpo');
      expect(answer.status).toBe(200);
      return answer.body as {
        entries: { at: string; name: string; role: string; subjectId: string; resource: string }[];
        next: string | null;
      };
    };
    const byAuditor = await list(`name=${TOKEN_NAMES.auditor}&from=${encodeURIComponent(since)}`);
    expect(byAuditor.entries.map((e) => [e.subjectId, e.resource])).toEqual([
      [b, 'state'],
      [b, 'trail'],
      [a, 'state'],
    ]);
    expect(byAuditor.entries.every((e) => e.name === TOKEN_NAMES.auditor && e.role === 'auditor')).toBe(true);
    // No reason in this list: reasons are the person's, sealed with their keys.
    expect(Object.keys(byAuditor.entries[0]).sort()).toEqual(['at', 'name', 'resource', 'role', 'subjectId']);
    const ats = byAuditor.entries.map((e) => Date.parse(e.at));
    expect([...ats].sort((x, y) => y - x)).toEqual(ats);

    expect((await list(`subjectId=${a}`)).entries.map((e) => [e.name, e.resource])).toEqual([
      [TOKEN_NAMES.dpo, 'trail'],
      [TOKEN_NAMES.auditor, 'state'],
    ]);
    expect((await list(`subjectId=${a}&name=${TOKEN_NAMES.dpo}`)).entries.map((e) => e.resource)).toEqual(['trail']);
    expect((await list(`subjectId=${a}&to=${encodeURIComponent(since)}`)).entries).toEqual([]);

    const first = await list(`subjectId=${b}&limit=1`);
    expect(first.entries.map((e) => e.resource)).toEqual(['state']);
    const second = await list(`subjectId=${b}&limit=1&before=${first.next}`);
    expect(second.entries.map((e) => e.resource)).toEqual(['trail']);
    expect((await list(`subjectId=${b}&limit=1&before=${second.next}`)).entries).toEqual([]);

    for (const query of [
      'subjectId=nope',
      'from=yesterday',
      `name=${TOKEN_NAMES.dpo}&name=${TOKEN_NAMES.ops}`,
      'limit=1001',
      'limit=0',
      'before=x',
      'reason=1',
    ]) {
      const refused = await ledger.get(`/v1/access-log?${query}`, 'dpo');
      expect([query, refused.status, refused.body.error]).toEqual([query, 400, 'validation']);
    }
    expect((await ledger.get('/v1/access-log', 'auditor')).status).toBe(403);
    expect((await ledger.get('/v1/access-log', null)).status).toBe(401);
  });
});

describe('LEDGER_TOKENS at the start (built service)', () => {
  const failedStart = async (tokens: string) => {
    const started = LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: 'postgres://127.0.0.1:1/never',
      LEDGER_TOKENS: tokens,
    });
    const error = await started.then(
      () => new Error('the service started'),
      (e: Error) => e,
    );
    return error.message;
  };

  it('does not start with a token of 31 characters or a token listed twice; says which entry and why', async () => {
    const short = 's'.repeat(31);
    const shortOut = await failedStart(`ingest:webcruiter:${TOKENS.ingest},auditor:${short}`);
    expect(shortOut).toContain('ledger exited with 1');
    expect(shortOut).toContain('LEDGER_TOKENS entry 2 has a token shorter than 32 characters');
    expect(shortOut).not.toContain(short);

    const twice = await failedStart(`ingest:a:${TOKENS.ingest},dpo:b:${TOKENS.dpo},ops:c:${TOKENS.ingest}`);
    expect(twice).toContain('ledger exited with 1');
    expect(twice).toContain('LEDGER_TOKENS entry 3 repeats the token of entry 1');
    expect(twice).not.toContain(TOKENS.ingest);
  });

  it("logs a reader by its token's name, the same after LEDGER_TOKENS is reordered", async () => {
    // The auditor's entry in v1's role:token form: named after its token's hash, not its place.
    const entries = LEDGER_TOKENS.split(',').map((e) => (e.startsWith('auditor:') ? `auditor:${TOKENS.auditor}` : e));
    const auditorName = `auditor-${createHash('sha256').update(TOKENS.auditor).digest('hex').slice(0, 8)}`;
    const { ledger, stop } = await LedgerProcess.onFreshDatabase({ LEDGER_TOKENS: entries.join(',') });
    try {
      const subjectId = (await ledger.post(collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`))).body.results[0]
        .subjectId;
      const readBoth = async () => {
        expect((await ledger.get(`/v1/subjects/${subjectId}`, 'auditor')).status).toBe(200);
        expect((await ledger.get(`/v1/subjects/${subjectId}/trail`, 'dpo')).status).toBe(200);
      };
      await readBoth();
      await ledger.stop();
      ledger.env.LEDGER_TOKENS = [...entries].reverse().join(',');
      await ledger.boot();
      await readBoth();
      const log = await ledger.get(`/v1/access-log?subjectId=${subjectId}`, 'dpo');
      expect(log.body.entries.map((e: { name: string; resource: string }) => [e.name, e.resource])).toEqual([
        [TOKEN_NAMES.dpo, 'trail'],
        [auditorName, 'state'],
        [TOKEN_NAMES.dpo, 'trail'],
        [auditorName, 'state'],
      ]);
      const accesses = await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo');
      expect(accesses.body.accesses.map((a: { principal: string }) => a.principal)).toEqual([
        auditorName,
        TOKEN_NAMES.dpo,
        auditorName,
        TOKEN_NAMES.dpo,
      ]);
    } finally {
      await stop();
    }
  });
});

describe('access reasons required and a small read rate limit (built service)', () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  let subjectId: string;

  beforeAll(async () => {
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase({
      LEDGER_ACCESS_REASON: 'required',
      LEDGER_READ_RATE_LIMIT: '5',
    }));
    subjectId = (await ledger.post(collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`))).body.results[0]
      .subjectId;
  });
  afterAll(() => stop?.());

  it('refuses a read of values without a reason: 400 REASON_REQUIRED; a read without values needs none', async () => {
    const refused = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'validation', code: 'REASON_REQUIRED' });
    expect(JSON.stringify(refused.body)).not.toContain('kari@example.no');
    const read = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'Art. 15 request 77' });
    expect(read.status).toBe(200);
    expect(read.body.data['contact.email'].value).toBe('kari@example.no');
    expect((await ledger.get(`/v1/subjects/${subjectId}/trail`, 'dpo')).status).toBe(200);
    // The refused read returned nothing, so it is not in the log.
    const log = await ledger.get(`/v1/access-log?subjectId=${subjectId}`, 'dpo');
    expect(log.body.entries.map((e: { resource: string }) => e.resource)).toEqual(['trail', 'state']);
  });

  it("answers a token's reads past its rate limit 429, Retry-After; other tokens, writes, health go on", async () => {
    const read = () =>
      fetch(`${ledger.url}/v1/subjects/${subjectId}/trail`, { headers: { authorization: `Bearer ${TOKENS.auditor}` } });
    for (let i = 0; i < 5; i += 1) expect((await read()).status).toBe(200);
    const limited = await read();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toEqual({
      error: 'rate_limited',
      message: 'too many reads with this token; retry after the seconds in Retry-After',
    });
    expect((await ledger.get('/metrics', 'ops')).status).toBe(200);
    expect((await ledger.post(collect(`webcruiter:candidate:${randomUUID().slice(0, 8)}`))).status).toBe(201);
    expect((await ledger.get('/health', null)).status).toBe(200);
  });
});
