import { getJson } from '../api';
import { formatDate } from '../i18n';
import { Show, Table, useLoad, useLocale } from '../ui';

interface Breach {
  readonly id: string;
  readonly discoveredAt: string;
  readonly nature: string;
  readonly systems: readonly string[];
  readonly categories: readonly string[];
  readonly authorityNotifiedAt: string | null;
  readonly notifiedWithin72h: boolean | null;
}

export function BreachesPage() {
  const { lang, t } = useLocale();
  const loaded = useLoad(() => getJson<{ breaches: Breach[] }>('/v1/breaches'), []);
  return (
    <section aria-labelledby="breaches-title">
      <h1 id="breaches-title">{t.breachesTitle}</h1>
      <Show loaded={loaded}>
        {({ breaches }) => (
          <Table
            caption={t.breachesTitle}
            head={[t.discovered, t.nature, t.systems, t.categories, t.authorityNotified, t.within72h]}
            rows={breaches.map((b) => [
              formatDate(lang, b.discoveredAt),
              b.nature,
              b.systems.join(', '),
              b.categories.join(', '),
              formatDate(lang, b.authorityNotifiedAt),
              b.notifiedWithin72h === null ? '–' : b.notifiedWithin72h ? t.yes : t.no,
            ])}
            empty={t.noBreaches}
          />
        )}
      </Show>
    </section>
  );
}
