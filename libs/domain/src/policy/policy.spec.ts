import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPolicyVersion, parsePolicy, policyVersionKnown } from './policy';

const shippedFile = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, '../../policy/backerskeie-2018-05.json'), 'utf8')) as Record<string, unknown>;
const version = (v: string, publishedAt: string, extra: Record<string, unknown> = {}) => ({
  version: v,
  publishedAt,
  textSha256: 'a'.repeat(64),
  textFile: `${v}.txt`,
  ...extra,
});

describe('parsePolicy: versions', () => {
  it('reads the versions of the shipped file', () => {
    const policy = parsePolicy(shippedFile());
    expect(policy.versions.map((v) => v.version)).toEqual(['2018-05']);
    expect(findPolicyVersion(policy, '2018-05')?.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(findPolicyVersion(policy, 'v3')).toBeUndefined();
  });

  it('knows exactly the listed versions', () => {
    const policy = parsePolicy({
      ...shippedFile(),
      version: '2021-03',
      versions: [version('2018-05', '2018-05'), version('2021-03', '2021-03-01')],
    });
    expect(policyVersionKnown(policy, '2018-05')).toBe(true);
    expect(policyVersionKnown(policy, '2021-03')).toBe(true);
    expect(policyVersionKnown(policy, '2019-01')).toBe(false);
    expect(policyVersionKnown(policy, '')).toBe(false);
  });

  it('requires a list of versions', () => {
    const { versions: _omitted, ...withoutVersions } = shippedFile();
    expect(() => parsePolicy(withoutVersions)).toThrow('versions: at least one');
    expect(() => parsePolicy({ ...shippedFile(), versions: [] })).toThrow('versions: at least one');
  });

  it('lists every problem of the versions at once', () => {
    const bad = {
      ...shippedFile(),
      version: '2030-01',
      versions: [
        version('2018-05', '2018-05'),
        version('2018-05', 'May 2018', { textSha256: 'ABC', textFile: '' }),
        version('2017-01', '2017-01'),
      ],
    };
    expect(() => parsePolicy(bad)).toThrow(
      'policy: versions[1].version: 2018-05 is listed twice; versions[1].publishedAt: YYYY-MM-DD or YYYY-MM; ' +
        'versions[1].textSha256: 64 lower-case hex digits; versions[1].textFile: required; versions: oldest first; ' +
        'version: 2030-01 is not in versions',
    );
  });

  it('refuses a purpose changed in a version that is not listed', () => {
    const file = shippedFile();
    const purposes = file.purposes as Record<string, Record<string, unknown>>;
    const changed = {
      ...file,
      purposes: { ...purposes, marketing: { ...purposes.marketing, changedInVersion: '2024-09' } },
    };
    expect(() => parsePolicy(changed)).toThrow('purposes.marketing.changedInVersion: 2024-09 is not in versions');
  });
});
