import { useState } from 'preact/hooks';
import { getText } from '../api';
import { toHex } from '../proof';
import { Problem, useLocale } from '../ui';

/** A policy version's text, on request, with its SHA-256 computed here and held against the consent's. */
export function PolicyText({ version, expectedSha }: { version: string; expectedSha: string | null }) {
  const { t } = useLocale();
  const [text, setText] = useState<{ body: string; sha: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      const body = await getText(`/v1/policy/versions/${encodeURIComponent(version)}/text`, { accept: 'text/plain' });
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
      setText({ body, sha: toHex(new Uint8Array(digest)) });
    } catch (caught) {
      setError(caught);
    }
  };
  if (error !== null) return <Problem error={error} />;
  if (!text) {
    return (
      <p>
        <button type="button" onClick={() => void load()}>
          {t.showPolicy} {version}
        </button>
      </p>
    );
  }
  return (
    <div class="policy-text">
      <h4>
        {t.policyVersion} {version}
      </h4>
      <p>
        {t.policySha}: <code class="hash">{text.sha}</code>
        {expectedSha && <> ({expectedSha === text.sha ? t.policyMatches : t.policyDiffers})</>}
      </p>
      <pre tabIndex={0}>{text.body}</pre>
    </div>
  );
}
