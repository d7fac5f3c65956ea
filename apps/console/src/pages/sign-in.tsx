import { useState } from 'preact/hooks';
import { ApiError, getText, setToken } from '../api';
import { startSignIn, type ConsoleConfig } from '../auth';
import { useLocale } from '../ui';

/**
 * With OIDC configured: the authorization-code flow at the issuer. Without: a pasted bearer token
 * (the API's static tokens, for local use), checked with one harmless call before it is kept.
 */
export function SignInPage({
  config,
  problem,
  onSignedIn,
}: {
  config: ConsoleConfig | null;
  problem: string | null;
  onSignedIn: () => void;
}) {
  const { t } = useLocale();
  const [pasted, setPasted] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailed(false);
    setToken(pasted.trim());
    try {
      // Any route of the console's roles answers 403, not 401, to a valid token of the other role.
      await getText('/v1/checkpoints/verifier-key', { accept: 'text/plain', trying: true }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status !== 401) return null;
        throw error;
      });
      setPasted('');
      onSignedIn();
    } catch {
      setToken(null);
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="sign-in-title" class="narrow">
      <h1 id="sign-in-title">{t.signInTitle}</h1>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      {config?.oidc && (
        <>
          <p>{t.signInSsoIntro}</p>
          <p>
            <button type="button" class="primary" onClick={() => void startSignIn(config.oidc!)}>
              {t.signInSso}
            </button>
          </p>
        </>
      )}
      <form onSubmit={submit}>
        <p>{t.signInIntro}</p>
        <label for="token">{t.token}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={pasted}
          onInput={(e) => setPasted(e.currentTarget.value)}
        />
        <button type="submit" class={config?.oidc ? '' : 'primary'} disabled={busy}>
          {busy ? t.signingIn : t.signIn}
        </button>
        {failed && (
          <p class="problem" role="alert">
            {t.signInFailed}
          </p>
        )}
      </form>
    </section>
  );
}
