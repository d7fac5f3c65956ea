import { Logger } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { fetchableUrlProblem, type OidcSettings } from '../config/ledger-config';
import { OidcUnavailableError } from '../http/errors';
import { oidcHolder, type TokenHolder } from './oidc-claims';

/** Asymmetric only: `none` proves nothing, and an HS* key would be the provider's public key as a shared secret. */
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** How far the ledger's clock may differ from the provider's for `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** How long a fetch of the discovery document or the keys may take before the request is answered 503. */
const FETCH_TIMEOUT_MS = 5_000;

/** jose's codes for a token that is itself wrong (401); any other failure is the provider's (503). */
const REFUSED = new Set([
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

const codeOf = (error: unknown) => (error as { code?: unknown }).code;

/**
 * Checks JWTs from LEDGER_OIDC_ISSUER against the keys its discovery document names. The keys are
 * found on the first JWT, not at start, so that a provider down at start costs 503s, not the
 * service; jose caches them and fetches again when a token names a key it does not know.
 */
export class OidcVerifier {
  private readonly logger = new Logger('oidc');
  private keys: Promise<JWTVerifyGetKey> | null = null;

  constructor(private readonly settings: OidcSettings) {}

  /** The token's holder; undefined for a token that is not valid; OidcUnavailableError when its keys cannot be had. */
  async verify(token: string): Promise<TokenHolder | undefined> {
    const keys = await this.jwks();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      });
      return oidcHolder(payload, this.settings);
    } catch (error) {
      if (REFUSED.has(codeOf(error) as string)) return undefined;
      this.logger.warn(`the keys of ${this.settings.issuer} cannot be fetched (${String(codeOf(error) ?? 'network')})`);
      throw new OidcUnavailableError();
    }
  }

  private jwks(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((error: unknown) => {
      // Not kept: the next JWT tries the provider again.
      this.keys = null;
      this.logger.warn(`discovery at ${this.settings.issuer} failed (${String(codeOf(error) ?? 'network')})`);
      throw new OidcUnavailableError();
    });
    return this.keys;
  }

  /** OpenID Discovery: the document must name this issuer, and its keys must be fetched as safely as it was. */
  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw Object.assign(new Error('discovery'), { code: `HTTP ${response.status}` });
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== this.settings.issuer)
      throw Object.assign(new Error('discovery'), { code: 'issuer mismatch' });
    if (typeof document.jwks_uri !== 'string' || fetchableUrlProblem(document.jwks_uri) !== null)
      throw Object.assign(new Error('discovery'), { code: 'bad jwks_uri' });
    return createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: FETCH_TIMEOUT_MS });
  }
}
