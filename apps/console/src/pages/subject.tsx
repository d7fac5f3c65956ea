import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { formatDate } from '../i18n';
import type { AccessRecord, SubjectState } from '../model';
import { Show, Table, useLoad, useLocale } from '../ui';
import { AccessReport, Certificate } from './subject-documents';
import { SubjectData } from './subject-data';
import { SubjectTrail } from './subject-trail';

/** One person: what is held (values on request), rights exercised, the trail with its proof, who read it. */
export function SubjectPage({ subjectId }: { subjectId: string }) {
  const { t } = useLocale();
  // Counts the reader's reveals, so the access log below shows each one as it happens.
  const [reveals, setReveals] = useState(0);
  // Without values: the fields' values are neither sent nor decrypted until the reader asks.
  const loaded = useLoad(() => getJson<SubjectState>(`/v1/subjects/${subjectId}?values=none`), [subjectId]);
  return (
    <article aria-labelledby="subject-title">
      <h1 id="subject-title">
        {t.personTitle} <code>{subjectId}</code>
      </h1>
      <Show loaded={loaded}>
        {(state) => (
          <>
            <Overview state={state} />
            <SubjectData state={state} onRevealed={() => setReveals((n) => n + 1)} />
            <Rights state={state} />
            <Certificate subjectId={subjectId} />
            <AccessReport subjectId={subjectId} />
            <SubjectTrail subjectId={subjectId} />
            <Accesses subjectId={subjectId} reveals={reveals} />
          </>
        )}
      </Show>
    </article>
  );
}

function Overview({ state }: { state: SubjectState }) {
  const { lang, t } = useLocale();
  return (
    <dl class="facts">
      <div>
        <dt>{t.status}</dt>
        <dd>
          <span class={`badge ${state.status}`}>{state.status}</span>
        </dd>
      </div>
      <div>
        <dt>{t.refs}</dt>
        <dd>{state.refs.length > 0 ? state.refs.join(', ') : '–'}</dd>
      </div>
      <div>
        <dt>{t.lastActivity}</dt>
        <dd>{formatDate(lang, state.lastActivityAt)}</dd>
      </div>
      <div>
        <dt>{state.erasedAt ? t.erasedAt : t.retentionDue}</dt>
        <dd>{formatDate(lang, state.erasedAt ?? state.retentionDueAt)}</dd>
      </div>
    </dl>
  );
}

/** Today's date in Oslo: a request is overdue once its due date there has ended (CONTRACT §8). */
const osloToday = (): string => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date());

function Rights({ state }: { state: SubjectState }) {
  const { lang, t } = useLocale();
  return (
    <section aria-labelledby="rights-title">
      <h2 id="rights-title">{t.rightsTitle}</h2>
      <h3>{t.objectionsTitle}</h3>
      <Table
        caption={t.objectionsTitle}
        head={[t.purpose, t.status, t.received]}
        rows={state.objections.map((o) => [o.purposes.join(', '), o.status, formatDate(lang, o.raisedAt)])}
        empty={t.none}
      />
      <h3>{t.restrictionTitle}</h3>
      <p>
        {state.restriction
          ? `${state.restriction.reason} (${formatDate(lang, state.restriction.since)})`
          : t.notRestricted}
      </p>
      <h3>{t.holdsTitle}</h3>
      <Table
        caption={t.holdsTitle}
        head={[t.reason, t.due]}
        rows={state.legalHolds.map((h) => [h.reason, formatDate(lang, h.until, false)])}
        empty={t.none}
      />
      <h3>{t.requestsTitle}</h3>
      <Table
        caption={t.requestsTitle}
        head={[t.kind, t.received, t.due, t.status, t.answered, t.outcome]}
        rows={state.requests.map((r) => [
          r.kind,
          formatDate(lang, r.receivedAt),
          r.dueDate,
          r.status === 'answered' ? (
            t.answered
          ) : r.dueDate < osloToday() ? (
            <span class="badge overdue">{t.overdue}</span>
          ) : (
            t.open
          ),
          formatDate(lang, r.answeredAt),
          r.outcome ?? '–',
        ])}
        empty={t.none}
      />
    </section>
  );
}

function Accesses({ subjectId, reveals }: { subjectId: string; reveals: number }) {
  const { lang, t } = useLocale();
  const loaded = useLoad(
    () => getJson<{ accesses: AccessRecord[] }>(`/v1/subjects/${subjectId}/accesses`),
    [subjectId, reveals],
  );
  return (
    <section aria-labelledby="accesses-title">
      <h2 id="accesses-title">{t.accessesTitle}</h2>
      <Show loaded={loaded}>
        {({ accesses }) => (
          <Table
            caption={t.accessesTitle}
            head={[t.at, t.who, t.role, t.resource, t.reason]}
            rows={[...accesses]
              .reverse()
              .map((a) => [formatDate(lang, a.at), a.principal, a.role, a.resource, a.reason ?? '–'])}
            empty={t.noAccesses}
          />
        )}
      </Show>
    </section>
  );
}
