import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { policyVersionKnown } from '#ledger/domain';
import { DEFAULT_POLICY_FILE, loadPolicy, policyTextProblems } from './policy-file';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const shipped = () => loadPolicy(undefined).policy;

describe('loadPolicy', () => {
  it('loads the shipped policy with the 2018-05 text and its hash', () => {
    const { policy, file } = loadPolicy(undefined);
    expect(file).toBe(DEFAULT_POLICY_FILE());
    expect(policy.version).toBe('2018-05');
    expect(policy.versions).toEqual([
      {
        version: '2018-05',
        publishedAt: '2018-05',
        textSha256: '60d089c784c45df53cc94c6548524cc6c17b100f2de549e527de03cdb6d880b7',
        textFile: 'personvernerklaering-2018-05.txt',
      },
    ]);
    const text = readFileSync(join(dirname(file), 'personvernerklaering-2018-05.txt'), 'utf8');
    expect(text.startsWith('Personvernerklæring')).toBe(true);
    expect(policyVersionKnown(policy, '2018-05')).toBe(true);
    expect(policyVersionKnown(policy, '2019-01')).toBe(false);
  });

  it('keeps the fields other code reads', () => {
    const policy = shipped();
    expect(policy.controller.name).toBe('BackerSkeie AS');
    expect(Object.keys(policy.purposes)).toContain('marketing');
    expect(policy.retention.inactivityMonths).toBeGreaterThan(0);
    expect(policy.requestDeadline).toEqual({ answerWithinMonths: 1, maxExtensionMonths: 2 });
  });

  describe('a copy of the policy elsewhere', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ledger-policy-'));
      const shippedDir = dirname(DEFAULT_POLICY_FILE());
      copyFileSync(DEFAULT_POLICY_FILE(), join(dir, 'policy.json'));
      copyFileSync(join(shippedDir, 'personvernerklaering-2018-05.txt'), join(dir, 'personvernerklaering-2018-05.txt'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('loads with its texts beside it', () => {
      expect(loadPolicy(join(dir, 'policy.json')).policy.version).toBe('2018-05');
    });

    it('refuses a text that does not match its hash, naming the version and not the text', () => {
      writeFileSync(join(dir, 'personvernerklaering-2018-05.txt'), 'Personvernerklæring (endret uten ny versjon)');
      expect(() => loadPolicy(join(dir, 'policy.json'))).toThrow(
        'policy: the text of version 2018-05 does not match its textSha256',
      );
      expect(() => loadPolicy(join(dir, 'policy.json'))).not.toThrow(/endret/);
    });

    it('refuses a missing text', () => {
      rmSync(join(dir, 'personvernerklaering-2018-05.txt'));
      expect(() => loadPolicy(join(dir, 'policy.json'))).toThrow(
        'policy: the text of version 2018-05 cannot be read (personvernerklaering-2018-05.txt)',
      );
    });
  });
});

describe('policyTextProblems', () => {
  const policy = {
    ...shipped(),
    versions: [
      { version: '2018-05', publishedAt: '2018-05', textSha256: sha256('første tekst'), textFile: 'a.txt' },
      { version: '2020-01', publishedAt: '2020-01-15', textSha256: sha256('andre tekst'), textFile: 'b.txt' },
    ],
  };
  const reader = (texts: Record<string, string>) => (file: string) =>
    file in texts ? Buffer.from(texts[file], 'utf8') : undefined;

  it('finds nothing when every text matches', () => {
    expect(policyTextProblems(policy, reader({ 'a.txt': 'første tekst', 'b.txt': 'andre tekst' }))).toEqual([]);
  });

  it('lists every version whose text is missing or altered', () => {
    expect(policyTextProblems(policy, reader({ 'a.txt': 'første tekst.' }))).toEqual([
      'the text of version 2018-05 does not match its textSha256',
      'the text of version 2020-01 cannot be read (b.txt)',
    ]);
  });

  it('hashes the bytes, so a changed line ending is a changed text', () => {
    const lf = { ...policy, versions: [{ ...policy.versions[0], textSha256: sha256('linje\n') }] };
    expect(policyTextProblems(lf, reader({ 'a.txt': 'linje\n' }))).toEqual([]);
    expect(policyTextProblems(lf, reader({ 'a.txt': 'linje\r\n' }))).toHaveLength(1);
  });
});
