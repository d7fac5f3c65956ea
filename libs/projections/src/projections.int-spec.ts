import { randomUUID } from 'node:crypto';
import { openDeep, type Keyring } from '#ledger/crypto';
import type { InboundEnvelope } from '#ledger/domain';
import type { PostgresEventStore } from '#ledger/event-store';
import { migrate, type Pool } from '#ledger/postgres';
import type { LedgerWriter } from '#ledger/recording';
import { defaultPolicy } from '../../domain/src/testing/envelopes';
import { openLedgerFixture, type LedgerFixture } from '../../../test/support/ledger-fixture';
import { CompositeProjection } from './composite.projection';
import type { Projection } from './projection';
import { rebuildProjection } from './projection-rebuild';
import { PROJECTION_MIGRATIONS, ProjectionRunner } from './projection-runner';
import { SubjectStateProjection } from './subject-state/subject-state.projection';
import { SubjectStateReader } from './subject-state/subject-state.reader';
import { placeInStateView } from './subject-state/subject-state.view';
import { SubjectTrailReader } from './subject-trail/subject-trail.reader';

const policy = defaultPolicy();
const envelope = (type: string, data: object, ref: string, occurredAt = '2026-11-20T10:15:00Z'): InboundEnvelope =>
  ({
    id: randomUUID(),
    type,
    occurredAt,
    source: 'webcruiter',
    actor: 'recruiter:kari',
    subject: { ref },
    data,
  }) as InboundEnvelope;

describe('projections fed by the global feed', () => {
  let fixture: LedgerFixture;
  let pool: Pool;
  let store: PostgresEventStore;
  let writer: LedgerWriter;
  let keyring: Keyring;
  const runners: ProjectionRunner[] = [];
  const startRunners = async () => {
    const made = [
      new ProjectionRunner(store, pool, new SubjectStateProjection(policy.retention.inactivityMonths), {
        batchSize: 7,
      }),
    ];
    for (const r of made) {
      await r.prepare();
      r.start();
    }
    runners.push(...made);
    return made;
  };

  beforeAll(async () => {
    fixture = await openLedgerFixture();
    ({ pool, store, keyring } = fixture);
    writer = fixture.writer();
  });
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await fixture.close();
  });

  it("shows a person's state and trail, survives a restart, and rebuilds to the same result from 0", async () => {
    const [state] = await startRunners();
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const { outcomes, checkpoint } = await writer.record(
      [
        envelope(
          'consent.given',
          { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' },
          ref,
          '2026-01-01T00:00:00Z',
        ),
        envelope(
          'data.collected',
          { purpose: 'marketing', fields: { 'contact.email': 'ola@example.no' }, collectedFrom: 'subject' },
          ref,
          '2026-02-01T00:00:00+01:00',
        ),
        envelope('data.corrected', { fields: { 'contact.email': 'ola.n@example.no' } }, ref, '2026-03-01T00:00:00Z'),
        envelope(
          'objection.raised',
          { purposes: ['client-assignments'], grounds: 'new job' },
          ref,
          '2026-04-01T00:00:00Z',
        ),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    expect(await state!.waitFor(checkpoint!, 5000)).toBe(true);

    const sealed = await new SubjectStateReader(pool).get(subjectId);
    // The read model keeps values sealed; an authorised read opens them with the subject's keys.
    expect(sealed!.data['contact.email']!.value).toMatch(/^enc:v3:/);
    expect(sealed!.refs[0]).toMatch(/^enc:v3:/);
    const view = openDeep(subjectId, sealed, await keyring.readableKeys(subjectId), placeInStateView);
    expect(view).toMatchObject({
      subjectId,
      status: 'active',
      refs: [ref],
      data: {
        'contact.email': {
          value: 'ola.n@example.no',
          purpose: 'marketing',
          lawfulBasis: 'consent',
          source: 'webcruiter',
        },
      },
      consents: { marketing: { status: 'given', policyVersion: '2018-05' } },
      objections: [{ purposes: ['client-assignments'], status: 'open' }],
      lastActivityAt: '2026-03-01T00:00:00Z',
      retentionDueAt: '2031-03-01T00:00:00.000Z',
      version: 4,
    });
    // The trail is the stream itself, without its personal part: no projection to wait for.
    const entries = (await new SubjectTrailReader(store).read(subjectId)).entries;
    expect(entries.map((e) => e.type)).toEqual([
      'consent.given',
      'data.collected',
      'data.corrected',
      'objection.raised',
    ]);
    expect(entries[0]!.details).toMatchObject({ linkedRefSystem: 'webcruiter' });
    expect(entries[1]).toMatchObject({
      purpose: 'marketing',
      lawfulBasis: 'consent',
      fields: ['contact.email'],
      actor: 'recruiter:kari',
    });
    expect(JSON.stringify(entries)).not.toMatch(/ola|new job|candidate/);

    // A restart resumes from the checkpoint; a rebuild from 0 gives the same read models.
    for (const r of runners.splice(0)) await r.stop();
    const [state2] = await startRunners();
    const more = await writer.record([envelope('data.used', { purpose: 'security' }, ref, '2026-05-01T00:00:00Z')], {
      atomic: true,
    });
    expect(await state2!.waitFor(more.checkpoint!, 5000)).toBe(true);
    const before = await new SubjectStateReader(pool).get(subjectId);
    expect(before!.version).toBe(5);
    await state2!.rebuild();
    expect(await state2!.waitFor(more.checkpoint!, 5000)).toBe(true);
    expect(await new SubjectStateReader(pool).get(subjectId)).toEqual(before);
    expect((await new SubjectTrailReader(store).read(subjectId)).entries).toHaveLength(5);
  });

  it('shows an erased person with no values and keeps the trail', async () => {
    const [state] = runners.length ? runners : await startRunners();
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const { outcomes, checkpoint } = await writer.record(
      [
        envelope(
          'data.collected',
          {
            purpose: 'client-assignments',
            fields: { 'contact.name': 'Ola', 'work.position': 'CFO' },
            collectedFrom: 'processor',
          },
          ref,
        ),
        envelope('erasure.requested', { scope: ['work'], reason: 'purpose-ended' }, ref),
        envelope('erasure.requested', { scope: 'all', reason: 'subject-request' }, ref),
      ],
      { atomic: true },
    );
    const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
    expect(await state!.waitFor(checkpoint!, 5000)).toBe(true);
    const view = await new SubjectStateReader(pool).get(subjectId);
    expect(view).toMatchObject({ status: 'erased', data: {}, refs: [], retentionDueAt: null });
    expect(view!.erasedAt).toEqual(expect.any(String));
  });
});

describe('upgrading a database that kept the trail as a projection', () => {
  it('drops the old copy, its shadow and its checkpoint; the trail reads the same from the store', async () => {
    const fixture = await openLedgerFixture();
    const { pool, store } = fixture;
    try {
      const ref = `webcruiter:candidate:${randomUUID()}`;
      const { outcomes } = await fixture
        .writer()
        .record([envelope('data.used', { purpose: 'security' }, ref)], { atomic: true });
      const subjectId = (outcomes[0] as { subjectId: string }).subjectId;
      // The schema as the earlier release left it, a trail rebuild interrupted half way.
      await migrate(
        pool,
        'projections',
        PROJECTION_MIGRATIONS.filter((m) => m.version === 1),
      );
      await pool.query(`CREATE TABLE ledger_subject_trail (subject_id uuid, revision int, entry json);
                        CREATE TABLE ledger_subject_trail_rebuild (subject_id uuid, revision int, entry json);
                        CREATE TABLE ledger_projection_rebuilds (name text PRIMARY KEY, phase text);
                        INSERT INTO ledger_projection_rebuilds VALUES ('subject-trail', 'scan');
                        INSERT INTO ledger_projections (name, checkpoint) VALUES ('subject-trail', NULL);`);

      await new ProjectionRunner(store, pool, new SubjectStateProjection(60)).prepare();

      const left = await pool.query(
        `SELECT to_regclass('ledger_subject_trail') AS t, to_regclass('ledger_subject_trail_rebuild') AS s`,
      );
      expect(left.rows[0]).toEqual({ t: null, s: null });
      expect((await pool.query('SELECT name FROM ledger_projections ORDER BY name')).rows).toEqual([
        { name: 'subject-state' },
      ]);
      expect((await pool.query('SELECT name FROM ledger_projection_rebuilds')).rows).toEqual([]);
      expect((await new SubjectTrailReader(store).read(subjectId)).entries.map((e) => e.type)).toEqual(['data.used']);
    } finally {
      await fixture.close();
    }
  });
});

describe('rebuilding a projection beside the live one', () => {
  it('ends identical to the live read model, even when interrupted half way and resumed', async () => {
    const fixture = await openLedgerFixture();
    const { pool, store } = fixture;
    const writer = fixture.writer();
    try {
      const projection = new SubjectStateProjection(60);
      const runner = new ProjectionRunner(store, pool, projection);
      await runner.prepare();
      for (let batch = 0; batch < 6; batch += 1) {
        await writer.record(
          Array.from({ length: 50 }, (_, i) =>
            envelope(
              'data.collected',
              {
                purpose: 'client-assignments',
                fields: { [`work.employer${batch}`]: `E${batch}` },
                collectedFrom: 'subject',
              },
              `webcruiter:candidate:r${i}`,
            ),
          ),
          { atomic: true },
        );
      }
      while ((await runner.step()) > 0);
      const snapshot = async () =>
        (await pool.query('SELECT subject_id, version, view::text FROM ledger_subject_state ORDER BY subject_id')).rows;
      const before = await snapshot();
      expect(before).toHaveLength(50);

      {
        let pages = 0;
        const interrupted = rebuildProjection(store, pool, projection, {
          pageSize: 60,
          onProgress: () => {
            if ((pages += 1) === 2) throw new Error('interrupted');
          },
        });
        await expect(interrupted).rejects.toThrow('interrupted');
        const progress = await pool.query(
          'SELECT phase, after_stream, checkpoint FROM ledger_projection_rebuilds WHERE name = $1',
          [projection.name],
        );
        expect(progress.rows[0]).toMatchObject({ phase: 'scan', after_stream: expect.any(String) });
        // The live read model still answers during the rebuild.
        expect((await pool.query(`SELECT count(*)::int AS n FROM ${projection.table}`)).rows[0].n).toBeGreaterThan(0);
        await rebuildProjection(store, pool, projection, { pageSize: 60 });
      }
      expect(await snapshot()).toEqual(before);
      expect((await pool.query('SELECT count(*)::int AS n FROM ledger_projection_rebuilds')).rows[0].n).toBe(0);
      // The swapped-in tables carry their indexes under the live names.
      const { rows } = await pool.query(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'ledger_subject_state' ORDER BY 1`,
      );
      expect(rows.map((r) => r.indexname)).toEqual(['ledger_subject_state_pkey', 'ledger_subject_state_retention']);
    } finally {
      await fixture.close();
    }
  });
});

describe('rebuilding the subject state while the read models it rides with lag behind', () => {
  it('leaves their checkpoint where it was: the others still get every event, the state folds each once', async () => {
    const fixture = await openLedgerFixture();
    const { pool, store } = fixture;
    const writer = fixture.writer();
    /** A read model beside the state under the same checkpoint: the ids of the events it applied. */
    const applied: Projection = {
      name: 'applied-ids',
      migrations: [{ version: 900, description: 'ids', sql: 'CREATE TABLE applied_ids (event_id uuid PRIMARY KEY)' }],
      apply: async (events, client) => {
        await client.query('INSERT INTO applied_ids SELECT unnest($1::uuid[])', [events.map((e) => e.eventId)]);
      },
      reset: async (client) => void (await client.query('TRUNCATE applied_ids')),
    };
    const state = new SubjectStateProjection(60);
    const runner = new ProjectionRunner(store, pool, new CompositeProjection(state.name, [state, applied]));
    try {
      await runner.prepare();
      const collect = (i: number) =>
        envelope(
          'data.collected',
          { purpose: 'client-assignments', fields: { 'work.employer': `E${i}` }, collectedFrom: 'subject' },
          `webcruiter:candidate:lag${i % 7}`,
        );
      await writer.record([0, 1, 2, 3].map(collect), { atomic: true });
      while ((await runner.step()) > 0);
      // Written while the read models are behind: the rebuild's scan sees them, the others have not.
      await writer.record([4, 5, 6, 7, 8, 9].map(collect), { atomic: true });
      await rebuildProjection(store, pool, state, { pageSize: 3 });
      while ((await runner.step()) > 0);
      const all = (await store.readFeed(null, 1000)).map((e) => e.eventId).sort();
      const ids = (await pool.query('SELECT event_id FROM applied_ids ORDER BY 1')).rows.map((r) => r.event_id);
      expect(ids).toEqual(all);
      const versions = await pool.query(
        'SELECT sum(version)::int AS n, count(*)::int AS people FROM ledger_subject_state',
      );
      expect(versions.rows[0]).toEqual({ n: all.length, people: 7 });
    } finally {
      await fixture.close();
    }
  });
});

describe('a runner whose waiters are elsewhere (a projection thread)', () => {
  it('polls often while someone waits: a write behind an older transaction shows soon after it commits', async () => {
    const fixture = await openLedgerFixture();
    const runner = new ProjectionRunner(
      fixture.store,
      fixture.pool,
      new SubjectStateProjection(policy.retention.inactivityMonths),
      { idleMs: 60_000 },
    );
    const older = await fixture.pool.connect();
    try {
      await runner.prepare();
      runner.start();
      runner.setAwaited(true);
      // An older transaction holds the feed back: the append wakes the runner, whose page comes
      // back short; the older transaction's commit wakes nobody.
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      const { checkpoint } = await fixture
        .writer()
        .record(
          [
            envelope(
              'consent.given',
              { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' },
              `webcruiter:candidate:${randomUUID()}`,
            ),
          ],
          {
            atomic: true,
          },
        );
      await new Promise((r) => setTimeout(r, 300));
      expect(fixture.store.compare(runner.status().checkpoint, checkpoint)).toBeLessThan(0);
      await older.query('COMMIT');
      const until = Date.now() + 3000;
      while (fixture.store.compare(runner.status().checkpoint, checkpoint) < 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 25));
      expect(fixture.store.compare(runner.status().checkpoint, checkpoint)).toBe(0);
    } finally {
      older.release();
      await runner.stop();
      await fixture.close();
    }
  });
});
