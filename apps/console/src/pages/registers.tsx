import { getJson } from '../api';
import { formatDate } from '../i18n';
import type { RequestView } from '../model';
import { Link, Show, Table, useLoad, useLocale } from '../ui';

/** Overdue first (as the service judges it, in Europe/Oslo), then open by due date, then answered. */
async function register(): Promise<{ overdue: Set<string>; requests: RequestView[] }> {
  const [all, overdue] = await Promise.all([
    getJson<{ requests: RequestView[] }>('/v1/requests'),
    getJson<{ requests: RequestView[] }>('/v1/requests?status=overdue'),
  ]);
  const late = new Set(overdue.requests.map((r) => r.requestId));
  const rank = (r: RequestView) => (late.has(r.requestId) ? 0 : r.status === 'open' ? 1 : 2);
  const requests = [...all.requests].sort((a, b) => rank(a) - rank(b) || a.dueDate.localeCompare(b.dueDate));
  return { overdue: late, requests };
}

export function RequestsPage() {
  const { lang, t } = useLocale();
  const loaded = useLoad(register, []);
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">{t.requestsRegister}</h1>
      <p>{t.requestsIntro}</p>
      <Show loaded={loaded}>
        {({ overdue, requests }) => (
          <Table
            caption={t.requestsRegister}
            head={[t.status, t.due, t.kind, t.received, t.person, t.answered, t.outcome]}
            rows={requests.map((r) => [
              overdue.has(r.requestId) ? (
                <span class="badge overdue">{t.overdue}</span>
              ) : r.status === 'open' ? (
                t.open
              ) : (
                t.answered
              ),
              r.dueDate,
              r.kind,
              formatDate(lang, r.receivedAt),
              r.subjectId ? <Link href={`/console/subjects/${r.subjectId}`}>{r.subjectId.slice(0, 8)}…</Link> : '–',
              formatDate(lang, r.answeredAt),
              r.outcome ?? '–',
            ])}
            empty={t.none}
          />
        )}
      </Show>
    </section>
  );
}

interface Activity {
  readonly purpose: string;
  readonly description: string;
  readonly lawfulBasisText: string;
  readonly categories: ReadonlyArray<{ id: string; description: string }>;
  readonly recipients: readonly string[];
  readonly retention: { rule: string };
  readonly observed: { subjects: number; events: number; lastAt: string | null };
}
interface ProcessingRecord {
  readonly controller: { name: string };
  readonly policyVersion: string;
  readonly activities: readonly Activity[];
  readonly drift: { sources: ReadonlyArray<{ name: string }>; recipients: ReadonlyArray<{ name: string }> };
}

export function RecordPage() {
  const { lang, t } = useLocale();
  const loaded = useLoad(() => getJson<ProcessingRecord>(`/v1/processing-record?lang=${lang}`), [lang]);
  return (
    <section aria-labelledby="record-title">
      <h1 id="record-title">{t.recordTitle}</h1>
      <Show loaded={loaded}>
        {(record) => (
          <>
            <p>
              {t.controller}: {record.controller.name} · {t.policyVersion} {record.policyVersion}
            </p>
            {record.activities.map((a) => (
              <section key={a.purpose} aria-labelledby={`activity-${a.purpose}`} class="card">
                <h2 id={`activity-${a.purpose}`}>{a.description}</h2>
                <dl class="facts">
                  <Fact term={t.purpose} value={a.purpose} />
                  <Fact term={t.lawfulBasis} value={a.lawfulBasisText} />
                  <Fact term={t.categories} value={a.categories.map((c) => c.description).join('; ')} />
                  <Fact term={t.recipients} value={a.recipients.join('; ') || '–'} />
                  <Fact term={t.retention} value={a.retention.rule} wide />
                  <Fact
                    term={t.observed}
                    value={`${a.observed.subjects} ${t.subjects}, ${a.observed.events} ${t.events}`}
                  />
                </dl>
              </section>
            ))}
            <h2>{t.drift}</h2>
            <p>{[...record.drift.sources, ...record.drift.recipients].map((d) => d.name).join(', ') || t.none}</p>
          </>
        )}
      </Show>
    </section>
  );
}

const Fact = ({ term, value, wide = false }: { term: string; value: string; wide?: boolean }) => (
  <div class={wide ? 'wide' : undefined}>
    <dt>{term}</dt>
    <dd>{value}</dd>
  </div>
);
