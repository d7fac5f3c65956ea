import { getJson } from '../api';
import { formatDate } from '../i18n';
import { Link, Show, Table, useLoad, useLocale } from '../ui';

interface Compliance {
  readonly asOf: string;
  readonly checks: ReadonlyArray<{ id: string; status: 'pass' | 'fail'; violations: number; examples: string[] }>;
  readonly refusals: Readonly<Record<string, number>>;
}

/** GET /v1/compliance (CONTRACT §9), shown when the service answers it; a note until then. */
export function CompliancePage() {
  const { lang, t } = useLocale();
  const loaded = useLoad(() => getJson<Compliance>('/v1/compliance'), []);
  return (
    <section aria-labelledby="compliance-title">
      <h1 id="compliance-title">{t.complianceTitle}</h1>
      <Show loaded={loaded}>
        {(c) => (
          <>
            <p>{formatDate(lang, c.asOf)}</p>
            <Table
              caption={t.complianceTitle}
              head={[t.check, t.status, t.violations, t.person]}
              rows={c.checks.map((check) => [
                <code>{check.id}</code>,
                <span class={`badge ${check.status}`}>{check.status === 'pass' ? t.pass : t.fail}</span>,
                String(check.violations),
                <span class="links">
                  {check.examples.map((id) => (
                    <Link key={id} href={`/console/subjects/${id}`}>
                      {id.slice(0, 8)}…
                    </Link>
                  ))}
                </span>,
              ])}
              empty={t.none}
            />
            <h2>{t.refusals}</h2>
            <Table
              caption={t.refusals}
              head={['code', '#']}
              rows={Object.entries(c.refusals).map(([code, n]) => [<code>{code}</code>, String(n)])}
              empty={t.none}
            />
          </>
        )}
      </Show>
    </section>
  );
}
