import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { htmlProblems } from '../support/html-well-formed';
import { envelope } from './support/envelopes';
import { LedgerProcess, TOKENS, TOKEN_NAMES } from './support/ledger-process';

const run = promisify(execFile);
const CLI = resolve(__dirname, '../../dist/apps/ledger/src/cli/main.js');
const EMAIL = 'ørjan.aasen@example.no';

/** The share of a page's pixels that are not near-white: a blank page has none. */
const inkShare = (png: Buffer): number => {
  const { data, width, height } = PNG.sync.read(png);
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) ink += 1;
  return ink / (width * height);
};

/** The Art. 15 answer and the Art. 20 export on the built service: JSON, HTML, PDF, CSV, the access log, erasure. */
describe('the access answer and the portability export (built service, HTTP, PostgreSQL)', () => {
  let ledger: LedgerProcess;
  let stop: () => Promise<void>;
  let subjectId: string;
  const ref = `webcruiter:candidate:art15-${randomUUID().slice(0, 8)}`;
  const accessRequest = envelope('access.requested', ref, { channel: 'email' }, '2026-12-01T09:00:00Z');
  const otherRequest = envelope('request.received', ref, { kind: 'rectification', channel: 'email' });
  const dir = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'art15-'));
  const fetchAs = async (path: string, accept: string) => {
    const response = await fetch(`${ledger.url}${path}`, {
      headers: { authorization: `Bearer ${TOKENS.dpo}`, accept },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: Buffer.from(await response.arrayBuffer()),
    };
  };

  beforeAll(async () => {
    ({ ledger, stop } = await LedgerProcess.onFreshDatabase());
    const posted = await ledger.post({
      events: [
        envelope('data.collected', ref, {
          purpose: 'client-assignments',
          fields: { 'contact.name': 'Ørjan Åsen', 'contact.email': EMAIL, 'work.position': 'Økonomisjef' },
          collectedFrom: 'processor',
        }),
        envelope('consent.given', ref, { purpose: 'candidate-relationship', policyVersion: '2018-05', channel: 'web' }),
        envelope('data.collected', ref, {
          purpose: 'candidate-relationship',
          fields: { 'preferences.roles': 'CFO, "finansdirektør"\nhelst i Bergen' },
          collectedFrom: 'subject',
        }),
        envelope('data.collected', ref, {
          purpose: 'candidate-relationship',
          fields: { 'education.degree': 'Siviløkonom' },
          collectedFrom: 'third-party',
        }),
        envelope('data.collected', ref, {
          purpose: 'customer-service',
          fields: { 'contact.phone': '+47 912 34 567' },
          collectedFrom: 'subject',
        }),
        envelope(
          'data.collected',
          ref,
          {
            purpose: 'client-assignments',
            fields: { 'assessment.result': 'Analytisk, strukturert' },
            collectedFrom: 'processor',
          },
          '2026-11-20T10:15:00Z',
          { source: 'assessio' },
        ),
        envelope('data.disclosed', ref, {
          recipient: 'Klient AS',
          purpose: 'client-assignments',
          fields: ['contact.name'],
        }),
        accessRequest,
        otherRequest,
      ],
    });
    expect(posted.status).toBe(201);
    subjectId = posted.body.results[0].subjectId;
  });
  afterAll(async () => {
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the dpo the answer as JSON, logs the read, and refuses other roles and languages', async () => {
    const answer = await ledger.get(`/v1/subjects/${subjectId}/access-report`, 'dpo', { 'x-access-reason': 'innsyn' });
    expect(answer.status).toBe(200);
    expect(answer.body.lang).toBe('nb');
    expect(answer.body.data.map((v: { value: string }) => v.value)).toContain(EMAIL);
    expect(answer.body.complaint.authority).toBe('Datatilsynet');
    expect(answer.body.profiling).toMatchObject({ held: true, processors: ['Assessio'] });
    expect(JSON.stringify(answer.body)).not.toContain(subjectId);
    expect((await ledger.get(`/v1/subjects/${subjectId}/access-report?lang=en`, 'dpo')).body.title).toBe(
      'Access to your personal data',
    );
    expect((await ledger.get(`/v1/subjects/${subjectId}/access-report`, 'auditor')).status).toBe(403);
    expect((await ledger.get(`/v1/subjects/${subjectId}/access-report?lang=de`, 'dpo')).status).toBe(400);
    expect((await ledger.get(`/v1/subjects/${randomUUID()}/access-report`, 'dpo')).status).toBe(404);
    const docs = (await ledger.get('/docs-json', null)).body;
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/v1/subjects/{subjectId}/access-report', '/v1/subjects/{subjectId}/export']),
    );
    expect(Object.keys(docs.components.schemas)).toEqual(expect.arrayContaining(['AccessAnswer', 'PortabilityExport']));
    const accesses = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses;
    expect(accesses).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principal: TOKEN_NAMES.dpo, resource: 'access-report', reason: 'innsyn' }),
      ]),
    );
  });

  it('serves a well-formed HTML page in bokmål', async () => {
    const page = await fetchAs(`/v1/subjects/${subjectId}/access-report`, 'text/html');
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    const html = page.body.toString('utf8');
    expect(htmlProblems(html)).toEqual([]);
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain(EMAIL);
    expect(html).not.toMatch(/<script/i);
  });

  it('serves a PDF whose text holds the e-mail, Datatilsynet and ø, and whose first page is not blank', async () => {
    const pdf = await fetchAs(`/v1/subjects/${subjectId}/access-report`, 'application/pdf');
    expect([pdf.status, pdf.type]).toEqual([200, 'application/pdf']);
    expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(dir, 'innsyn.pdf');
    writeFileSync(file, pdf.body);
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    expect(text).toContain(EMAIL);
    expect(text).toContain('Datatilsynet');
    expect(text).toContain('Økonomisjef');
    expect(text).toMatch(/ø/);
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    const png = readFileSync(join(dir, 'page-1.png'));
    expect(inkShare(png)).toBeGreaterThan(0.01);
  });

  it('exports only what the person gave under consent or contract, as JSON and as RFC 4180 CSV', async () => {
    const exported = await ledger.get(`/v1/subjects/${subjectId}/export`, 'dpo');
    expect(exported.status).toBe(200);
    // Not the phone (given, but held on legitimate interest), nor the degree (from a third party).
    expect(exported.body).toEqual({
      subjectId,
      exportedAt: expect.any(String),
      fields: { 'preferences.roles': 'CFO, "finansdirektør"\nhelst i Bergen' },
    });
    const csv = await fetchAs(`/v1/subjects/${subjectId}/export`, 'text/csv');
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.body.toString('utf8')).toBe(
      'field,value,collectedAt\r\npreferences.roles,"CFO, ""finansdirektør""\nhelst i Bergen",2026-11-20T10:15:00Z\r\n',
    );
    expect((await ledger.get(`/v1/subjects/${subjectId}/export`, 'auditor')).status).toBe(403);
    const resources = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses.map(
      (a: { resource: string }) => a.resource,
    );
    expect(resources.filter((r: string) => r === 'export')).toHaveLength(2);
  });

  it('answers the open access request it names, once', async () => {
    const path = `/v1/subjects/${subjectId}/access-report?requestId=${accessRequest.id}`;
    const answered = await ledger.get(path, 'dpo');
    expect(answered.status).toBe(200);
    expect(answered.body.request).toEqual({ receivedAt: '2026-12-01T09:00:00.000Z', dueDate: '2027-01-04' });
    const register = (await ledger.get('/v1/requests?status=answered&kind=access', 'dpo')).body.requests;
    expect(register).toEqual([
      expect.objectContaining({ requestId: accessRequest.id, subjectId, status: 'answered', outcome: 'fulfilled' }),
    ]);
    const again = await ledger.get(path, 'dpo');
    expect([again.status, again.body.code]).toEqual([422, 'NO_SUCH_REQUEST']);
    // An open request of another kind is not answered by an access answer.
    const other = await ledger.get(`/v1/subjects/${subjectId}/access-report?requestId=${otherRequest.id}`, 'dpo');
    expect([other.status, other.body.code]).toEqual([422, 'NO_SUCH_REQUEST']);
    const open = (await ledger.get('/v1/requests?status=open', 'dpo')).body.requests;
    expect(open.map((r: { requestId: string }) => r.requestId)).toEqual([otherRequest.id]);
    expect((await ledger.get(`/v1/subjects/${subjectId}/access-report?requestId=nope`, 'dpo')).status).toBe(400);
  });

  it('prints the answer from the CLI as a PDF and as JSON, and logs the read', async () => {
    const env = { ...process.env, ...ledger.env };
    const pdf = await run(process.execPath, [CLI, 'report', 'access', subjectId, '--format', 'pdf'], {
      env,
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(pdf.stdout.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const json = await run(process.execPath, [CLI, 'report', 'access', subjectId, '--lang', 'en'], { env });
    expect(JSON.parse(json.stdout).data.map((v: { value: string }) => v.value)).toContain(EMAIL);
    await expect(
      run(process.execPath, [CLI, 'report', 'access', subjectId, '--format', 'doc'], { env }),
    ).rejects.toMatchObject({
      code: 2,
    });
    const principals = (await ledger.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses.map(
      (a: { principal: string }) => a.principal,
    );
    expect(principals.filter((p: string) => p.startsWith('cli:'))).toHaveLength(2);
  });

  it('after erasure holds no value and says when and why the data was erased', async () => {
    const erasure = envelope('erasure.requested', subjectId, { scope: 'all', reason: 'subject-request' });
    expect((await ledger.post(erasure)).status).toBe(201);
    const answer = await ledger.get(`/v1/subjects/${subjectId}/access-report`, 'dpo');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('erased');
    expect(answer.body.data).toEqual([]);
    const text = JSON.stringify(answer.body);
    for (const value of [EMAIL, 'Ørjan', 'Økonomisjef', 'finansdirektør', 'Siviløkonom', '912 34 567', 'Analytisk']) {
      expect(text).not.toContain(value);
    }
    expect(answer.body.erasures).toEqual([
      expect.objectContaining({ reason: 'subject-request', everything: true, at: expect.any(String) }),
    ]);
    expect(answer.body.summary).toMatch(/^Opplysningene dine ble slettet \d+\. \S+ \d{4}, fordi du ba om det\./);
    const pdf = await fetchAs(`/v1/subjects/${subjectId}/access-report`, 'application/pdf');
    writeFileSync(join(dir, 'erased.pdf'), pdf.body);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', join(dir, 'erased.pdf'), '-']);
    expect(stdout).toContain('fordi du ba om det');
    expect(stdout).not.toContain(EMAIL);
    expect((await ledger.get(`/v1/subjects/${subjectId}/export`, 'dpo')).body.fields).toEqual({});
  });
});
