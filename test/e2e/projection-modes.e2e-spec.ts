import { randomUUID } from 'node:crypto';
import { envelope } from './support/envelopes';
import { LedgerProcess } from './support/ledger-process';

/**
 * The read models kept on the service's own event loop (LEDGER_PROJECTION_THREAD=off) rather than
 * in its projection thread (the default, which every other end-to-end test runs on): the same
 * read-your-writes, the same state.
 */
describe('the read models on the event loop (LEDGER_PROJECTION_THREAD=off)', () => {
  it('shows a write at once and reports its projection running', async () => {
    const { ledger, stop } = await LedgerProcess.onFreshDatabase({ LEDGER_PROJECTION_THREAD: 'off' });
    try {
      const ref = `webcruiter:candidate:${randomUUID().slice(0, 8)}`;
      const posted = await ledger.post({
        events: [
          envelope('data.collected', ref, {
            purpose: 'client-assignments',
            fields: { 'contact.email': 'kari@example.no' },
            collectedFrom: 'processor',
          }),
          envelope('data.corrected', ref, { fields: { 'contact.email': 'kari.n@example.no' } }),
        ],
      });
      expect(posted.status).toBe(201);
      const subjectId = posted.body.results[0].subjectId;
      const state = await ledger.get(`/v1/subjects/${subjectId}`, 'dpo', { 'X-Access-Reason': 'e2e' });
      expect(state.body).toMatchObject({
        subjectId,
        version: 2,
        data: { 'contact.email': { value: 'kari.n@example.no' } },
      });
      const health = await ledger.get('/health', 'ops');
      expect(health.body.projections).toEqual([
        expect.objectContaining({
          name: 'subject-state',
          running: true,
          lastError: null,
          checkpoint: expect.any(String),
        }),
        // The verifiable log's tree is kept on the same event loop.
        expect.objectContaining({ name: 'verifiable-log', running: true, lastError: null }),
        // The compliance checks' facts too, on their own checkpoint.
        expect.objectContaining({ name: 'compliance', running: true, lastError: null }),
      ]);
    } finally {
      await stop();
    }
  });
});
