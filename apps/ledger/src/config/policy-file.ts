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

/** Reads and checks the policy file: LEDGER_POLICY, or the default that ships with the project. */
export function loadPolicy(path: string | undefined): { policy: Policy; file: string } {
  const file = resolve(path ?? DEFAULT_POLICY_FILE());
  return { policy: parsePolicy(JSON.parse(readFileSync(file, 'utf8'))), file };
}
