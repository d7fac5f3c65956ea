import { ROLES, type Role } from '../config/secrets';
import type { OidcSettings } from '../config/ledger-config';

/** Who a valid bearer token names, and every ledger role it grants (none: it may call nothing). */
export interface TokenHolder {
  readonly name: string;
  readonly roles: readonly Role[];
}

/** The longest name kept from a claim: the access log names a reader, it does not store documents. */
const MAX_NAME = 200;

const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/**
 * A claim by its name, or else by a dotted path (Keycloak keeps realm roles in `realm_access.roles`):
 * the whole name first, since names such as `https://ledger.example/roles` hold dots themselves.
 */
function claim(payload: Record<string, unknown>, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles as an array of strings or one space-separated string; only the ledger's own roles count. */
export function rolesOf(value: unknown): Role[] {
  const listed: unknown[] = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
  return [...new Set(listed.filter(isRole))];
}

/**
 * The holder of a verified JWT's claims: named by the name claim, or by `sub` without one; no
 * name at all is no holder. Claims are read, never logged: they may name the person.
 */
export function oidcHolder(
  payload: Record<string, unknown>,
  settings: Pick<OidcSettings, 'rolesClaim' | 'nameClaim'>,
): TokenHolder | undefined {
  const named = claim(payload, settings.nameClaim);
  const name = [named, payload.sub].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (name === undefined || name.length > MAX_NAME) return undefined;
  return { name, roles: rolesOf(claim(payload, settings.rolesClaim)) };
}
