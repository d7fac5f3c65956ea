import { randomUUID } from 'node:crypto';
import { withoutLogIndex } from '../support/trail';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

/**
 * LEDGER_ROLE=read: an instance that only serves reads from the database the recording instances
 * share, so that auditors' reads do not wait behind ingestion. It answers every read as a full
 * instance does, logs them, and refuses writes with a stable code.
 */
describe('a read instance (LEDGER_ROLE=read) beside a recording one', () => {
  let writer: LedgerProcess;
  let reader: LedgerProcess;
  let stop: () => Promise<void>;
  const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
  const collected = () =>
    envelope('data.collected', ref, {
      purpose: 'client-assignments',
      fields: { 'contact.email': 'kari.nordmann@example.no', 'work.position': 'CFO' },
      collectedFrom: 'processor',
    });

  beforeAll(async () => {
    const started = await LedgerProcess.onFreshDatabase();
    writer = started.ledger;
    reader = await LedgerProcess.start({
      LEDGER_STORE: 'postgres',
      DATABASE_URL: started.databaseUrl,
      LEDGER_ROLE: 'read',
    });
    stop = async () => {
      await reader.stop();
      await started.stop();
    };
  });
  afterAll(() => stop?.());

  it('shows what the recording instance wrote, as soon as its POST answered, and logs the read', async () => {
    const posted = await writer.post(collected());
    expect(posted.status).toBe(201);
    const subjectId: string = posted.body.results[0].subjectId;

    const [onReader, onWriter] = [
      await reader.get(`/v1/subjects/${subjectId}`, 'dpo'),
      await writer.get(`/v1/subjects/${subjectId}`, 'dpo'),
    ];
    expect(onReader.status).toBe(200);
    expect(onReader.body.data['contact.email'].value).toBe('kari.nordmann@example.no');
    expect(onReader.body).toEqual(onWriter.body);
    const [readerTrail, writerTrail] = [
      (await reader.get(`/v1/subjects/${subjectId}/trail`)).body,
      (await writer.get(`/v1/subjects/${subjectId}/trail`)).body,
    ];
    expect({ ...readerTrail, entries: withoutLogIndex(readerTrail.entries) }).toEqual({
      ...writerTrail,
      entries: withoutLogIndex(writerTrail.entries),
    });
    expect((await reader.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body).toEqual({ subjectId });

    const accesses = (await writer.get(`/v1/subjects/${subjectId}/accesses`, 'dpo')).body.accesses;
    expect(accesses.filter((a: { resource: string }) => a.resource === 'state')).toHaveLength(2);
    expect(accesses.filter((a: { resource: string }) => a.resource === 'trail')).toHaveLength(2);
  });

  it('refuses writes with 421 READ_ONLY_INSTANCE and records nothing', async () => {
    const refused = await reader.post(collected());
    expect(refused).toMatchObject({ status: 421, body: { error: 'misdirected', code: 'READ_ONLY_INSTANCE' } });
    const sweep = await reader.request('POST', '/v1/retention/sweep', 'ops', {});
    expect(sweep).toMatchObject({ status: 421, body: { code: 'READ_ONLY_INSTANCE' } });
    // Authentication still comes first.
    expect((await reader.post(collected(), null)).status).toBe(401);

    const subjectId = (await writer.get(`/v1/subjects?ref=${encodeURIComponent(ref)}`)).body.subjectId;
    expect((await writer.get(`/v1/subjects/${subjectId}/trail`)).body.entries).toHaveLength(1);
  });

  it('is ready without projections of its own, and says which role it has', async () => {
    const health = await reader.request('GET', '/health', 'ops');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', role: 'read', projections: [] });
    const writerHealth = await writer.request('GET', '/health', 'ops');
    expect(writerHealth.body).toMatchObject({
      role: 'all',
      projections: [
        expect.objectContaining({ name: 'subject-state', running: true }),
        expect.objectContaining({ name: 'verifiable-log', running: true }),
        expect.objectContaining({ name: 'compliance', running: true }),
      ],
    });
  });
});
