import { oidcHolder, rolesOf } from './oidc-claims';

const settings = { rolesClaim: 'roles', nameClaim: 'preferred_username' };

describe("a JWT's holder", () => {
  it('takes the roles from an array or a space-separated string, keeping the ledger roles only', () => {
    expect(rolesOf(['dpo', 'Global Admin', 'auditor', 'dpo'])).toEqual(['dpo', 'auditor']);
    expect(rolesOf('ops  ingest offline_access')).toEqual(['ops', 'ingest']);
    expect(rolesOf([1, null, { dpo: true }])).toEqual([]);
    expect(rolesOf(undefined)).toEqual([]);
  });

  it('is named by the name claim, or by sub without one', () => {
    expect(oidcHolder({ sub: 's-1', preferred_username: 'dina', roles: ['dpo'] }, settings)).toEqual({
      name: 'dina',
      roles: ['dpo'],
    });
    expect(oidcHolder({ sub: 's-1', preferred_username: ' ', roles: 'auditor' }, settings)).toEqual({
      name: 's-1',
      roles: ['auditor'],
    });
  });

  it('has no role at all without the roles claim', () => {
    expect(oidcHolder({ sub: 's-1', preferred_username: 'dina' }, settings)).toEqual({ name: 'dina', roles: [] });
  });

  it('is no holder without any name, or with a name too long for the access log', () => {
    expect(oidcHolder({ roles: ['dpo'] }, settings)).toBeUndefined();
    expect(oidcHolder({ sub: 'x'.repeat(201), roles: ['dpo'] }, settings)).toBeUndefined();
  });

  it('reads a claim by its whole name first, then by a dotted path', () => {
    const keycloak = { sub: 's', preferred_username: 'k', realm_access: { roles: ['ops'] } };
    expect(oidcHolder(keycloak, { ...settings, rolesClaim: 'realm_access.roles' })?.roles).toEqual(['ops']);
    const namespaced = { sub: 's', 'https://ledger.example/roles': ['dpo'] };
    expect(oidcHolder(namespaced, { ...settings, rolesClaim: 'https://ledger.example/roles' })?.roles).toEqual(['dpo']);
  });
});
