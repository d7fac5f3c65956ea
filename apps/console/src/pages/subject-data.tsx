import { useState } from 'preact/hooks';
import { getJson } from '../api';
import { formatDate } from '../i18n';
import type { ConsentRecord, SubjectState } from '../model';
import { Problem, Table, useLocale } from '../ui';
import { PolicyText } from './policy-text';

type Revealed = { state: SubjectState; consents: Record<string, ConsentRecord[]> | null };

/**
 * The person's fields with their purpose, basis, source and dates; the values only after the reader
 * asks with a reason, which the API keeps in the access log (`X-Access-Reason`). The consent
 * history with its evidence comes with the same reason.
 */
export function SubjectData({ state, onRevealed }: { state: SubjectState; onRevealed: () => void }) {
  const { lang, t } = useLocale();
  const [reason, setReason] = useState('');
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reveal = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const why = reason.trim();
    const base = `/v1/subjects/${state.subjectId}`;
    try {
      const [full, consents] = await Promise.all([
        getJson<SubjectState>(base, { reason: why }),
        getJson<{ purposes: Record<string, ConsentRecord[]> }>(`${base}/consents`, { reason: why }),
      ]);
      setRevealed({ state: full, consents: consents.purposes });
      onRevealed();
    } catch (caught) {
      setError(caught);
    }
  };

  const shown = revealed?.state ?? state;
  const rows = Object.entries(shown.data).map(([key, field]) => [
    <code>{key}</code>,
    field.value === undefined ? <span class="hidden-value">{t.hidden}</span> : <span class="value">{field.value}</span>,
    field.purpose ?? '–',
    field.lawfulBasis ?? '–',
    field.source,
    formatDate(lang, field.collectedAt),
    formatDate(lang, field.updatedAt),
  ]);
  return (
    <section aria-labelledby="data-title">
      <h2 id="data-title">{t.dataTitle}</h2>
      <Table
        caption={t.dataTitle}
        head={[t.field, t.value, t.purpose, t.lawfulBasis, t.source, t.collected, t.updated]}
        rows={rows}
        empty={t.noData}
      />
      {rows.length > 0 && !revealed && (
        <form class="reveal" onSubmit={reveal}>
          <p id="reveal-intro">{t.revealIntro}</p>
          <label for="reason">{t.reason}</label>
          <div class="row">
            <input
              id="reason"
              name="reason"
              required
              maxLength={200}
              aria-describedby="reveal-intro"
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <button type="submit">{t.reveal}</button>
          </div>
        </form>
      )}
      {revealed && (
        <p class="ok" role="status">
          {t.revealed}
        </p>
      )}
      {error !== null && <Problem error={error} />}
      <Consents state={shown} history={revealed?.consents ?? null} />
    </section>
  );
}

function Consents({ state, history }: { state: SubjectState; history: Record<string, ConsentRecord[]> | null }) {
  const { lang, t } = useLocale();
  const current = Object.entries(state.consents);
  const latestSha = (purpose: string) => history?.[purpose]?.at(-1)?.policyTextSha256 ?? null;
  const versions = [...new Set(current.map(([, c]) => c.policyVersion))];
  return (
    <>
      <h3>{t.consentsTitle}</h3>
      <Table
        caption={t.consentsTitle}
        head={[t.purpose, t.status, t.policyVersion, t.channel, t.at]}
        rows={current.map(([purpose, c]) => [
          purpose,
          c.status === 'given' ? t.given : t.withdrawn,
          c.policyVersion,
          c.channel,
          formatDate(lang, c.at),
        ])}
        empty={t.none}
      />
      {versions.map((version) => (
        <PolicyText
          key={version}
          version={version}
          expectedSha={
            current.map(([p, c]) => (c.policyVersion === version ? latestSha(p) : null)).find(Boolean) ?? null
          }
        />
      ))}
      {history && (
        <>
          <h4>{t.consentHistory}</h4>
          <Table
            caption={t.consentHistory}
            head={[t.purpose, t.status, t.at, t.policyVersion, t.policySha, t.channel, t.evidence]}
            rows={Object.entries(history).flatMap(([purpose, records]) =>
              records.map((r) => [
                purpose,
                r.status === 'given' ? t.given : t.withdrawn,
                formatDate(lang, r.at),
                r.policyVersion ?? '–',
                r.policyTextSha256 ? <code class="hash">{r.policyTextSha256.slice(0, 16)}…</code> : '–',
                r.channel,
                r.evidence ?? '–',
              ]),
            )}
            empty={t.none}
          />
        </>
      )}
    </>
  );
}
