import { HASH_SIZE } from './merkle';
import { NoteError, openNote, parseVerifierKey, type NoteSigner, type NoteVerifier } from './signed-note';

/**
 * A C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the origin (the log's name), the tree
 * size in decimal, the base64 tree head, then optional extension lines; signed as a C2SP note.
 */
export interface TreeCheckpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly extensions?: readonly string[];
}

export const checkpointBody = ({ origin, size, rootHash, extensions = [] }: TreeCheckpoint): string =>
  [origin, String(size), rootHash.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');

export function parseCheckpointBody(text: string): TreeCheckpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new NoteError('MALFORMED_NOTE', 'a checkpoint has three lines');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  const rootHash = Buffer.from(root, 'base64');
  if (origin.length === 0 || !/^(0|[1-9][0-9]*)$/u.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new NoteError('MALFORMED_NOTE', 'a checkpoint starts with its origin and a decimal tree size');
  }
  if (rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== root) {
    throw new NoteError('MALFORMED_NOTE', 'a checkpoint names its root as 32 bytes in base64');
  }
  return { origin, size: Number(size), rootHash, extensions };
}

/** The signed note of a checkpoint, as served and kept. */
export const signCheckpoint = (checkpoint: TreeCheckpoint, signer: NoteSigner): string =>
  signer.sign(checkpointBody(checkpoint));

/**
 * The checkpoint a signed note holds, once its signature by `verifier` holds and, when `origin` is
 * given, it names that log. Throws `NoteError` otherwise.
 */
export function openCheckpoint(note: string, verifier: NoteVerifier | string, origin?: string): TreeCheckpoint {
  const key = typeof verifier === 'string' ? parseVerifierKey(verifier) : verifier;
  const checkpoint = parseCheckpointBody(openNote(note, key));
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new NoteError('MALFORMED_NOTE', 'the checkpoint is of another log');
  }
  return checkpoint;
}
