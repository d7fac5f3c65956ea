import { tokenDigest, type Principal } from '../config/secrets';
import type { TokenHolder } from './oidc-claims';

/** Checks a JWT: its holder, undefined when it is not valid; throws when it cannot be checked now. */
export type JwtCheck = (token: string) => Promise<TokenHolder | undefined>;

/** A compact JWS: three base64url parts. A static token (base64url, no dots) is never one. */
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const bearerToken = (header: string | string[] | undefined): string =>
  typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';

/**
 * Who a request's bearer token names: a LEDGER_TOKENS entry, or a JWT of LEDGER_OIDC_ISSUER when
 * that is set. A request is checked once: the result is kept with it, for the middleware that
 * runs before the body parser and the guard after it.
 */
export class BearerAuthenticator {
  private readonly checked = new WeakMap<object, Promise<TokenHolder | undefined>>();

  constructor(
    private readonly tokens: Map<string, Principal>,
    private readonly jwt: JwtCheck | null,
  ) {}

  authenticate(request: { headers: { authorization?: string | string[] } }): Promise<TokenHolder | undefined> {
    let result = this.checked.get(request);
    if (!result) {
      result = this.check(bearerToken(request.headers.authorization));
      this.checked.set(request, result);
    }
    return result;
  }

  private async check(token: string): Promise<TokenHolder | undefined> {
    if (!token) return undefined;
    const principal = this.tokens.get(tokenDigest(token));
    if (principal) return { name: principal.name, roles: [principal.role] };
    return this.jwt && JWT.test(token) ? this.jwt(token) : undefined;
  }
}
