import { useEffect, useRef, useState, useLayoutEffect } from 'preact/hooks';
import { signedIn, setToken, whenSignedOut } from './api';
import { finishSignIn, isCallback, loadConfig, type ConsoleConfig } from './auth';
import { TEXTS, type Lang } from './i18n';
import { BreachesPage } from './pages/breaches';
import { CompliancePage } from './pages/compliance';
import { FindPage } from './pages/find';
import { RecordPage, RequestsPage } from './pages/registers';
import { SignInPage } from './pages/sign-in';
import { SubjectPage } from './pages/subject';
import { Link, LocaleContext } from './ui';

const usePath = (): string => {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
};

function Page({ path }: { path: string }) {
  const subject = /^\/console\/subjects\/([0-9a-fA-F-]{36})$/.exec(path);
  if (subject) return <SubjectPage subjectId={subject[1]!} />;
  switch (path) {
    case '/console/requests':
      return <RequestsPage />;
    case '/console/processing-record':
      return <RecordPage />;
    case '/console/breaches':
      return <BreachesPage />;
    case '/console/compliance':
      return <CompliancePage />;
    default:
      return <FindPage />;
  }
}

const NAV: ReadonlyArray<[string, keyof (typeof TEXTS)['nb']]> = [
  ['/console/', 'navFind'],
  ['/console/requests', 'navRequests'],
  ['/console/processing-record', 'navRecord'],
  ['/console/breaches', 'navBreaches'],
  ['/console/compliance', 'navCompliance'],
];

export function App() {
  const [lang, setLang] = useState<Lang>('nb');
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [authed, setAuthed] = useState(signedIn());
  const [problem, setProblem] = useState<'sessionEnded' | 'signInFailed' | null>(null);
  const path = usePath();
  const t = TEXTS[lang];

  const firstPath = useRef(path);
  useEffect(() => {
    // After a move inside the console, a keyboard or screen-reader user starts at the new page.
    if (path !== firstPath.current) document.getElementById('main')?.focus();
    firstPath.current = '';
  }, [path]);
  // In the same commit as the text: a reader (or a screen reader) never sees one language marked as the other.
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
  }, [lang]);
  useEffect(() => {
    whenSignedOut(() => {
      setAuthed(false);
      setProblem('sessionEnded');
    });
    loadConfig().then(
      async (loaded) => {
        setConfig(loaded);
        if (loaded.oidc && isCallback()) {
          await finishSignIn(loaded.oidc).then(
            () => setAuthed(true),
            () => setProblem('signInFailed'),
          );
        }
      },
      () => setProblem('signInFailed'),
    );
  }, []);

  const signOut = () => {
    setToken(null);
    setAuthed(false);
  };
  const other: Lang = lang === 'nb' ? 'en' : 'nb';
  return (
    <LocaleContext.Provider value={{ lang, t }}>
      <a class="skip" href="#main">
        {t.skip}
      </a>
      <header class="top">
        <p class="brand">{t.title}</p>
        {authed && (
          <nav aria-label={t.nav}>
            <ul>
              {NAV.map(([href, key]) => (
                <li key={href}>
                  <Link href={href} current={href === path || (href === '/console/' && path === '/console')}>
                    {t[key]}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="tools">
          <button type="button" lang={other} onClick={() => setLang(other)} aria-label={`${t.language}: ${t.switchTo}`}>
            {t.switchTo}
          </button>
          {authed && (
            <button type="button" onClick={signOut}>
              {t.signOut}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {authed ? (
          <Page path={path} />
        ) : (
          <SignInPage
            config={config}
            problem={problem === null ? null : t[problem]}
            onSignedIn={() => {
              setProblem(null);
              setAuthed(true);
            }}
          />
        )}
      </main>
    </LocaleContext.Provider>
  );
}
