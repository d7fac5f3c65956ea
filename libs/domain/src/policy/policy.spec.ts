import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPolicyVersion, parsePolicy, policyVersionKnown, recordTexts } from './policy';

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

describe('parsePolicy: what the Art. 30 record needs', () => {
  it('reads the controller, the DPO, each purpose scope and each processor agreement of the shipped file', () => {
    const policy = parsePolicy(shippedFile());
    expect(policy.controller.organisationNumber).toMatch(/^\d{9}$/);
    expect(policy.controller.address).not.toBe('');
    expect(policy.dpo.contact).toContain('+47 23 00 31 40');
    expect(policy.purposes['client-assignments']?.dataSubjects).toEqual(['candidates', 'client contacts']);
    expect(policy.purposes.marketing?.categories).toEqual(['contact']);
    expect(policy.processors.map((p) => p.agreement).every((a) => a.length > 0)).toBe(true);
    expect(policy.systems).toEqual({ sources: [], recipients: [], $comment: expect.any(String) as unknown });
  });

  it('has bokmål for every text the record shows', () => {
    const policy = parsePolicy(shippedFile());
    const texts = recordTexts(policy);
    expect(texts).toContain('Credit checks and invoicing');
    expect(texts).toContain('candidates');
    expect(texts.map((t) => policy.translations.nb[t])).not.toContain(undefined);
    expect(policy.translations.nb.candidates).toBe('kandidater');
  });

  it('lists every missing or dangling Art. 30 item at once', () => {
    const file = shippedFile();
    const purposes = file.purposes as Record<string, Record<string, unknown>>;
    const processors = file.processors as Record<string, unknown>[];
    const bad = {
      ...file,
      controller: { ...(file.controller as object), organisationNumber: '12345', address: ' ' },
      dpo: { name: 'x' },
      purposes: {
        ...purposes,
        marketing: { ...purposes.marketing, dataSubjects: ['robots'], categories: [], recipients: 'all' },
        security: { ...purposes.security, categories: ['health'] },
      },
      processors: [{ ...processors[0], agreement: '' }, ...processors.slice(1)],
      systems: { sources: [1] },
    };
    expect(() => parsePolicy(bad)).toThrow(
      'policy: controller.organisationNumber: nine digits; controller.address: required; ' +
        'dpo: name and contact required; purposes.marketing.dataSubjects: not in dataSubjects; ' +
        'purposes.marketing.categories: at least one; purposes.marketing.recipients: a list of texts; ' +
        "purposes.security.categories: not in categories; processors[0].agreement: the agreement's reference; " +
        'systems: sources and recipients are lists of names',
    );
  });

  it('refuses a text without its bokmål, and a file without translations', () => {
    const file = shippedFile();
    const securityMeasures = [...(file.securityMeasures as string[]), 'Locked doors'];
    expect(() => parsePolicy({ ...file, securityMeasures })).toThrow('translations.nb: no bokmål for "Locked doors"');
    const { translations: _omitted, ...without } = file;
    expect(() => parsePolicy(without)).toThrow('translations.nb: required');
  });
});
