import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parsePolicy, type Policy } from '#ledger/domain';

/** The project root: the nearest folder above this file holding the project's package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nest-cli.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const DEFAULT_POLICY_FILE = () => join(projectRoot(), 'libs/domain/policy/backerskeie-2018-05.json');

/** SHA-256 of the policy file's bytes, lower-case hex: the Art. 30 record names the exact file it was built from. */
export const policyFileSha256 = (path: string | undefined): string =>
  createHash('sha256')
    .update(readFileSync(resolve(path ?? DEFAULT_POLICY_FILE())))
    .digest('hex');

/** Reads a version's text by its `textFile`; undefined when it cannot be read. */
export type PolicyTextReader = (textFile: string) => Buffer | undefined;

/**
 * Problems with the texts of the policy's versions: each must be readable and match its hash, or
 * the consents recorded under it prove nothing. Messages name the version, never the text.
 */
export function policyTextProblems(policy: Policy, read: PolicyTextReader): string[] {
  const problems: string[] = [];
  for (const { version, textFile, textSha256 } of policy.versions) {
    const text = read(textFile);
    if (text === undefined) problems.push(`the text of version ${version} cannot be read (${textFile})`);
    else if (createHash('sha256').update(text).digest('hex') !== textSha256) {
      problems.push(`the text of version ${version} does not match its textSha256`);
    }
  }
  return problems;
}

function readerBeside(policyFile: string): PolicyTextReader {
  return (textFile) => {
    try {
      return readFileSync(resolve(dirname(policyFile), textFile));
    } catch {
      return undefined;
    }
  };
}

/**
 * Reads and checks the policy file: LEDGER_POLICY, or the default that ships with the project.
 * Throws, so that the service refuses to start, when a version's text is missing or altered.
 */
export function loadPolicy(path: string | undefined): { policy: Policy; file: string } {
  const file = resolve(path ?? DEFAULT_POLICY_FILE());
  const policy = parsePolicy(JSON.parse(readFileSync(file, 'utf8')));
  const problems = policyTextProblems(policy, readerBeside(file));
  if (problems.length > 0) throw new Error(`policy: ${problems.join('; ')}`);
  return { policy, file };
}
