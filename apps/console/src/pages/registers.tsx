import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { formatDate } from '../i18n';
import type { RequestView } from '../model';
import { Link, Problem, Show, Table, useLoad, useLocale } from '../ui';

/** A page of the register as the service serves it; `next` continues it. */
interface RegisterPage {
  readonly asOf: string;
  readonly requests: readonly RequestView[];
  readonly next?: string;
}

/** Where the register goes on: the open requests by due date, then the answered ones; null at its end. */
type Cursor = { readonly status: 'open' | 'answered'; readonly after?: string } | null;

interface Shown {
  /** The service's date in Europe/Oslo when the first page was read: an open request due before it is overdue. */
  readonly today: string;
  readonly requests: readonly RequestView[];
  readonly cursor: Cursor;
}

/** Rows a page of the console adds: a register of any length is read a page at a time. */
const PAGE = 100;

const osloDate = (instant: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(instant));

/**
 * A page more of the register after what is shown: the open requests by due date, so the overdue
 * ones come first, then the answered ones.
 */
async function more(shown: Shown | null): Promise<Shown> {
  let cursor: Cursor = shown ? shown.cursor : { status: 'open' };
  let today = shown?.today;
  const requests = [...(shown?.requests ?? [])];
  const wanted = requests.length + PAGE;
  while (cursor && requests.length < wanted) {
    const query = new URLSearchParams({ status: cursor.status, limit: String(wanted - requests.length) });
    if (cursor.after) query.set('after', cursor.after);
    const page = await getJson<RegisterPage>(`/v1/requests?${query}`);
    today ??= osloDate(page.asOf);
    requests.push(...page.requests);
    cursor = page.next
      ? { status: cursor.status, after: page.next }
      : cursor.status === 'open'
        ? { status: 'answered' }
        : null;
  }
  return { today: today ?? osloDate(new Date().toISOString()), requests, cursor };
}

export function RequestsPage() {
  const { t } = useLocale();
  const first = useLoad(() => more(null), []);
  const [later, setLater] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<unknown>(null);
  const showMore = async (shown: Shown) => {
    setBusy(true);
    setFailed(null);
    try {
      setLater(await more(shown));
    } catch (error) {
      setFailed(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">{t.requestsRegister}</h1>
      <p>{t.requestsIntro}</p>
      <Show loaded={first}>
        {(initial) => {
          const shown = later ?? initial;
          return (
            <>
              <RequestsTable shown={shown} />
              {failed !== null && <Problem error={failed} />}
              {shown.cursor && (
                <p>
                  <button type="button" disabled={busy} onClick={() => void showMore(shown)}>
                    {t.showMore}
                  </button>
                </p>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

function RequestsTable({ shown: { today, requests } }: { shown: Shown }) {
  const { lang, t } = useLocale();
  return (
    <Table
      caption={t.requestsRegister}
      head={[t.status, t.due, t.kind, t.received, t.person, t.answered, t.outcome]}
      rows={requests.map((r) => [
        r.status === 'open' && r.dueDate < today ? (
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
