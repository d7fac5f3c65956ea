import { useState } from 'preact/hooks';
import { ApiError, getJson, getText } from '../api';
import { formatDate } from '../i18n';
import type { Trail, TrailEntry } from '../model';
import { openCheckpoint, proves, type Checkpoint, type InclusionProof } from '../proof';
import { Show, useLoad, useLocale } from '../ui';

type Proven = 'proven' | 'not-yet' | 'bad';
interface Checked {
  readonly trail: Trail;
  readonly checkpoint: Checkpoint | null;
  readonly proofs: ReadonlyMap<string, Proven>;
}

/** Each entry's inclusion proof against the latest signed checkpoint, checked here, not by the service. */
async function check(subjectId: string): Promise<Checked> {
  const trail = await getJson<Trail>(`/v1/subjects/${subjectId}/trail`);
  const [note, key] = await Promise.all([
    getText('/v1/checkpoints/latest', { accept: 'text/plain' }).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    getText('/v1/checkpoints/verifier-key', { accept: 'text/plain' }),
  ]);
  if (note === null) return { trail, checkpoint: null, proofs: new Map() };
  const checkpoint = await openCheckpoint(note, key);
  const proofs = new Map<string, Proven>();
  await Promise.all(
    trail.entries.map(async (entry) => {
      if (entry.logIndex === null || entry.logIndex >= checkpoint.size) return proofs.set(entry.eventId, 'not-yet');
      const proof = await getJson<InclusionProof>(
        `/v1/proofs/inclusion?eventId=${entry.eventId}&treeSize=${checkpoint.size}`,
      );
      proofs.set(entry.eventId, (await proves(entry.hash, proof, checkpoint)) ? 'proven' : 'bad');
    }),
  );
  return { trail, checkpoint, proofs };
}

export function SubjectTrail({ subjectId }: { subjectId: string }) {
  const { t } = useLocale();
  // A leaf joins a signed tree a moment after its write: the reader may check again later.
  const [round, setRound] = useState(0);
  const loaded = useLoad(() => check(subjectId), [subjectId, round]);
  return (
    <section aria-labelledby="trail-title">
      <h2 id="trail-title">{t.trailTitle}</h2>
      <p>{t.trailIntro}</p>
      <Show loaded={loaded}>
        {(checked) => (
          <>
            <Integrity checked={checked} />
            <p>
              <button type="button" onClick={() => setRound((n) => n + 1)}>
                {t.recheck}
              </button>
            </p>
            <ol class="timeline">
              {checked.trail.entries.map((entry) => (
                <Entry key={entry.eventId} entry={entry} proven={checked.proofs.get(entry.eventId) ?? 'not-yet'} />
              ))}
            </ol>
          </>
        )}
      </Show>
    </section>
  );
}

function Integrity({ checked: { trail, checkpoint, proofs } }: { checked: Checked }) {
  const { t } = useLocale();
  const proven = [...proofs.values()].filter((p) => p === 'proven').length;
  const signature =
    checkpoint?.signatureValid === true
      ? t.signatureOk
      : checkpoint?.signatureValid === false
        ? t.signatureBad
        : t.signatureUnchecked;
  return (
    <ul class="integrity" aria-label={t.checkpoint}>
      <li class={trail.integrity.verified ? 'ok' : 'problem'}>
        {trail.integrity.verified ? t.chainOk : `${t.chainBroken} ${trail.integrity.revision ?? ''}`}
      </li>
      {checkpoint ? (
        <>
          <li class={checkpoint.signatureValid === false ? 'problem' : 'ok'}>
            {t.checkpoint}: {checkpoint.origin}, {t.treeSize.toLowerCase()} {checkpoint.size}. {signature} (
            <code>{checkpoint.keyId}</code>).
          </li>
          <li class={[...proofs.values()].includes('bad') ? 'problem' : 'ok'}>
            {proven} / {trail.entries.length} {t.proofsChecked}.
          </li>
        </>
      ) : (
        <li>{t.noCheckpoint}</li>
      )}
    </ul>
  );
}

function Entry({ entry, proven }: { entry: TrailEntry; proven: Proven }) {
  const { lang, t } = useLocale();
  const purposes = entry.purpose ?? entry.purposes?.join(', ');
  const label = { proven: t.proven, 'not-yet': t.notYet, bad: t.proofBad }[proven];
  return (
    <li>
      <h3 class="event-type">
        {entry.revision}. <code>{entry.type}</code> <span class={`badge proof-${proven}`}>{label}</span>
      </h3>
      <dl class="entry">
        {purposes && <Fact term={t.purpose} value={purposes} />}
        {entry.lawfulBasis && <Fact term={t.lawfulBasis} value={entry.lawfulBasis} />}
        <Fact term={t.source} value={entry.source} />
        {entry.actor && <Fact term={t.actor} value={entry.actor} />}
        {entry.fields.length > 0 && <Fact term={t.fields} value={entry.fields.join(', ')} />}
        <Fact term={t.occurred} value={formatDate(lang, entry.occurredAt)} />
        <Fact term={t.recorded} value={formatDate(lang, entry.recordedAt)} />
      </dl>
    </li>
  );
}

const Fact = ({ term, value }: { term: string; value: string }) => (
  <div>
    <dt>{term}</dt>
    <dd>{value}</dd>
  </div>
);
