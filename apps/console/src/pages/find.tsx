import { useState } from 'preact/hooks';
import { ApiError, getJson } from '../api';
import { navigate, useLocale } from '../ui';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person by a source system's ref (looked up, and so logged) or by the ledger's subject id. */
export function FindPage() {
  const { t } = useLocale();
  const [query, setQuery] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setMessage(null);
    const wanted = query.trim();
    if (UUID.test(wanted)) return navigate(`/console/subjects/${wanted.toLowerCase()}`);
    try {
      const { subjectId } = await getJson<{ subjectId: string }>(`/v1/subjects?ref=${encodeURIComponent(wanted)}`);
      navigate(`/console/subjects/${subjectId}`);
    } catch (error) {
      setMessage(error instanceof ApiError && error.status === 404 ? t.notFound : `${t.failed}: ${String(error)}`);
    }
  };

  return (
    <section aria-labelledby="find-title" class="narrow">
      <h1 id="find-title">{t.findTitle}</h1>
      <p>{t.findIntro}</p>
      <form role="search" onSubmit={submit}>
        <label for="find">{t.findLabel}</label>
        <div class="row">
          <input
            id="find"
            name="find"
            type="search"
            required
            autocomplete="off"
            spellcheck={false}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <button type="submit" class="primary">
            {t.find}
          </button>
        </div>
      </form>
      {message && (
        <p class="problem" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
