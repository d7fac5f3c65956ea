import { useState } from 'preact/hooks';
import { apiHasPath, getBlob, getJson } from '../api';
import { formatDate } from '../i18n';
import { Problem, Show, useLoad, useLocale } from '../ui';

interface Certificate {
  readonly status: 'none' | 'refused' | 'partially-erased' | 'erased';
  readonly erasures: ReadonlyArray<{ reason: string; outcome: string; decidedAt: string; categories?: string[] }>;
  readonly notify: ReadonlyArray<{ system: string; acknowledgedAt: string | null }>;
  readonly keysDestroyed: readonly unknown[];
  readonly proof: unknown;
}

export function Certificate({ subjectId }: { subjectId: string }) {
  const { lang, t } = useLocale();
  const loaded = useLoad(() => getJson<Certificate>(`/v1/erasures/${subjectId}`), [subjectId]);
  return (
    <section aria-labelledby="certificate-title">
      <h2 id="certificate-title">{t.certificateTitle}</h2>
      <Show loaded={loaded}>
        {(c) =>
          c.status === 'none' ? (
            <p>{t.noCertificate}</p>
          ) : (
            <>
              <p>
                <span class="badge">{c.status}</span> · {t.keysDestroyed}: {c.keysDestroyed.length}
              </p>
              <ul>
                {c.erasures.map((e, i) => (
                  <li key={i}>
                    {formatDate(lang, e.decidedAt)}: {e.outcome}, {e.reason}
                    {e.categories ? ` (${e.categories.join(', ')})` : ''}
                  </li>
                ))}
              </ul>
              <p>
                {t.acknowledged}: {c.notify.map((n) => `${n.system} ${n.acknowledgedAt ? '✓' : '…'}`).join(', ') || '–'}
              </p>
            </>
          )
        }
      </Show>
    </section>
  );
}

/** The Art. 15 answer as a file, once the service serves it; the reader gives a reason, as for values. */
export function AccessReport({ subjectId }: { subjectId: string }) {
  const { lang, t } = useLocale();
  const served = useLoad(() => apiHasPath('/v1/subjects/{subjectId}/access-report'), []);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const download = async (accept: string, extension: string) => {
    setError(null);
    try {
      const blob = await getBlob(`/v1/subjects/${subjectId}/access-report?lang=${lang}`, {
        accept,
        reason: reason.trim(),
      });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `access-report-${subjectId}.${extension}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section aria-labelledby="report-title">
      <h2 id="report-title">{t.reportTitle}</h2>
      <Show loaded={served}>
        {(yes) =>
          yes ? (
            <div class="row">
              <label for="report-reason">{t.reportReason}</label>
              <input id="report-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              <button type="button" onClick={() => void download('text/html', 'html')}>
                {t.reportHtml}
              </button>
              <button type="button" onClick={() => void download('application/pdf', 'pdf')}>
                {t.reportPdf}
              </button>
            </div>
          ) : (
            <p class="note">{t.reportMissing}</p>
          )
        }
      </Show>
      {error !== null && <Problem error={error} />}
    </section>
  );
}
