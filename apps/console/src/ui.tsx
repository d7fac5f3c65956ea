import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { TEXTS, type Lang, type Texts } from './i18n';

export interface Locale {
  readonly lang: Lang;
  readonly t: Texts;
}
export const LocaleContext = createContext<Locale>({ lang: 'nb', t: TEXTS.nb });
export const useLocale = (): Locale => useContext(LocaleContext);

/** Navigation inside the console without reloading the page (and so without losing the token). */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link({ href, current, children }: { href: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ok'; readonly data: T }
  | { readonly state: 'error'; readonly error: unknown };

/** Runs `load` when `keys` change; the last answer wins. */
export function useLoad<T>(load: () => Promise<T>, keys: readonly unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load().then(
      (data) => current && setLoaded({ state: 'ok', data }),
      (error: unknown) => current && setLoaded({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, keys);
  return loaded;
}

/** What went wrong, in the reader's words: not there yet (404), not for this role (403), or failed. */
export function Problem({ error }: { error: unknown }) {
  const { t } = useLocale();
  if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
    return <p class="note">{t.notAvailable}</p>;
  }
  if (error instanceof ApiError && error.status === 403) return <p class="note">{t.forbidden}</p>;
  const detail = error instanceof Error ? error.message : String(error);
  return (
    <p class="problem" role="alert">
      {t.failed}: {detail}
    </p>
  );
}

export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const { t } = useLocale();
  if (loaded.state === 'loading') return <p aria-live="polite">{t.loading}</p>;
  if (loaded.state === 'error') return <Problem error={loaded.error} />;
  return <>{children(loaded.data)}</>;
}

/** A table with a caption; `empty` when there are no rows. */
export function Table({
  caption,
  head,
  rows,
  empty,
}: {
  caption: string;
  head: readonly string[];
  rows: readonly ComponentChildren[][];
  empty: string;
}) {
  if (rows.length === 0) return <p>{empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells, i) => (
            <tr key={i}>
              {cells.map((cell, j) => (
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
