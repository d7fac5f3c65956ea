import { existsSync, readFileSync } from 'node:fs';
import {
  eventLeafHash,
  eventLeavesInFeedOrder,
  interleaveAsStored,
  NoteError,
  openCheckpoint,
  PostgresTreeStore,
  verifyConsistencyOffline,
  verifyInclusionOffline,
  type ComparisonResult,
  type InclusionProofDocument,
  type OfflineResult,
} from '#ledger/verifiable-log';
import { loadPolicy } from '../config/policy-file';
import { accessLeavesInIdOrder } from '../verifiable-log/access-leaves';
import { existingSigner } from '../verifiable-log/signing-key';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

const option = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** Input an inspector gave that cannot be read: bad usage (exit 2), not a finding. */
class UnreadableInput extends Error {}

const readText = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new UnreadableInput(`cannot read ${file}`);
  }
};

const readJson = (file: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(readText(file));
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof UnreadableInput) throw error;
  }
  throw new UnreadableInput(`${file} is not a JSON object`);
};

/** `--verifier-key` is the key itself, or a file holding it (as fetched from /v1/checkpoints/verifier-key). */
const verifierKeyOf = (arg: string): string => (existsSync(arg) ? readText(arg).trim() : arg.trim());

const describeFailure = (result: Extract<ComparisonResult, { ok: false }>): string =>
  ({
    differs: `leaf ${result.logIndex} differs from the one the checkpoint signed`,
    missing: `leaf ${result.logIndex} is missing: the record ends before the signed tree size`,
    'root-differs': 'the recomputed root is not the signed one (the record and the tree were rewritten alike)',
  })[result.reason];

/**
 * `verify --checkpoint FILE [--verifier-key KEY]`: the saved checkpoint's signature (with the given
 * key, or the ledger's own), then the tree recomputed from the record itself (each event's hash
 * recomputed, each access entry's leaf) and held against it. Exit 3 naming the first leaf that
 * differs or is missing.
 */
export async function verifyCheckpointCommand(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const file = option(args, '--checkpoint')!;
  const keyArg = option(args, '--verifier-key');
  const key = keyArg
    ? verifierKeyOf(keyArg)
    : existingSigner(context.config, loadPolicy(context.config.LEDGER_POLICY).policy)?.verifierKey;
  if (!key) {
    report.error('no LEDGER_SIGNING_KEY and no generated signing key: give --verifier-key');
    return 2;
  }
  let head;
  try {
    head = openCheckpoint(readText(file), key);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    report.line(`CHECKPOINT NOT VERIFIED: ${error.code} (${error.message})`);
    return 3;
  }
  const tree = await PostgresTreeStore.open(context.pool);
  const leaves = interleaveAsStored(tree, {
    event: eventLeavesInFeedOrder(await context.store()),
    access: accessLeavesInIdOrder(context.pool),
  });
  const result = await tree.recomputeAndCompare(leaves, head);
  if (result.ok) {
    report.line(
      `the record holds the tree of ${result.treeSize} leaves signed by ${head.origin}` +
        (result.storedLeavesMatch ? '' : ' (but the tree tables were altered; the record itself holds)'),
    );
    return 0;
  }
  const [leaf] = result.logIndex === null ? [] : await tree.leaves(result.logIndex, 1);
  process.stdout.write(`${JSON.stringify({ ...result, kind: leaf?.kind, sourceId: leaf?.sourceId })}\n`);
  report.line(`TAMPERED: ${describeFailure(result)}${leaf ? ` (the tree's ${leaf.kind} ${leaf.sourceId})` : ''}`);
  return 3;
}

const outcome = (report: Reporter, result: OfflineResult<object>, ok: string): number => {
  if (result.ok) {
    report.line(ok);
    return 0;
  }
  report.line(`NOT VERIFIED: ${result.code} (${result.detail})`);
  return 3;
};

/**
 * An erasure certificate (its `proof`), or an inclusion proof saved with its `checkpoint` (or given
 * with --checkpoint FILE). With the event's `eventHash`, the leaf must be that event's.
 */
function verifyInclusionFile(args: string[], key: string, report: Reporter): number {
  const document = readJson(option(args, '--certificate')!);
  const proof = ('proof' in document ? document.proof : document) as
    (InclusionProofDocument & { checkpoint?: string; eventHash?: string; eventId?: string }) | null;
  if (proof === null || typeof proof !== 'object') {
    report.line('NOT VERIFIED: the certificate carries no proof yet (its erasure is not in a signed checkpoint)');
    return 3;
  }
  const checkpointFile = option(args, '--checkpoint');
  const note = checkpointFile ? readText(checkpointFile) : proof.checkpoint;
  if (typeof note !== 'string') throw new UnreadableInput('no checkpoint: in the file or with --checkpoint FILE');
  let expectedLeafHash: string | undefined;
  try {
    expectedLeafHash = proof.eventHash === undefined ? undefined : eventLeafHash(proof.eventHash).toString('hex');
  } catch {
    return outcome(report, { ok: false, code: 'MALFORMED_PROOF', detail: 'eventHash' }, '');
  }
  const result = verifyInclusionOffline(proof, note, key, { expectedLeafHash });
  const what = proof.eventId ? `event ${proof.eventId}` : `leaf ${proof.logIndex}`;
  return outcome(
    report,
    result,
    result.ok
      ? `${what} is leaf ${proof.logIndex} of the tree of ${proof.treeSize} signed by ${result.checkpoint.origin}`
      : '',
  );
}

/** Two checkpoints saved at different times and the consistency proof between them. */
function verifyConsistencyFiles(args: string[], key: string, report: Reporter): number {
  const [older, newer, proofFile] = [option(args, '--old'), option(args, '--new'), option(args, '--proof')];
  if (!older || !newer || !proofFile)
    throw new UnreadableInput('--consistency needs --old FILE --new FILE --proof FILE');
  const proof = readJson(proofFile) as unknown as Parameters<typeof verifyConsistencyOffline>[2];
  const result = verifyConsistencyOffline(readText(older), readText(newer), proof, key);
  return outcome(
    report,
    result,
    result.ok ? `the tree of ${result.newer.size} leaves extends the tree of ${result.older.size} unchanged` : '',
  );
}

/**
 * `verify-proof`: what an inspector runs with no database and no service (no connection is
 * opened). Exit 0 verified, 3 not verified, 2 bad usage or unreadable input.
 */
export function verifyProofCommand(report: Reporter, args: string[]): number {
  const keyArg = option(args, '--verifier-key');
  const consistency = args.includes('--consistency');
  if (!keyArg || (!consistency && !option(args, '--certificate'))) {
    report.error(
      'usage: verify-proof --certificate FILE [--checkpoint FILE] --verifier-key KEY\n' +
        '       verify-proof --consistency --old FILE --new FILE --proof FILE --verifier-key KEY',
    );
    return 2;
  }
  try {
    const key = verifierKeyOf(keyArg);
    return consistency ? verifyConsistencyFiles(args, key, report) : verifyInclusionFile(args, key, report);
  } catch (error) {
    if (!(error instanceof UnreadableInput)) throw error;
    report.error(error.message);
    return 2;
  }
}
