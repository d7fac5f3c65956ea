import * as oauth from 'oauth4webapi';
import { setToken } from './api';

/** `/console/config.json`: how to sign in here. */
export interface ConsoleConfig {
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly audience: string } | null;
}

/** Only the PKCE verifier and the state cross the redirect, in sessionStorage, removed on return. */
const PENDING = 'ledger-console.pkce';
const redirectUri = (): string => `${location.origin}/console/`;

export const loadConfig = async (): Promise<ConsoleConfig> =>
  (await fetch('/console/config.json', { credentials: 'omit' })).json() as Promise<ConsoleConfig>;

/** Plain HTTP only for an issuer on this machine (development and tests). */
function options(issuer: URL): { [oauth.allowInsecureRequests]?: boolean } {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
  return issuer.protocol === 'http:' && local ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(issuer: URL): Promise<oauth.AuthorizationServer> {
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/**
 * The ledger's audience as an RFC 8707 resource indicator, when it is an absolute URI (the only form
 * the parameter takes); a bare name is left to the provider's default resource for the client.
 */
function resourceOf(audience: string): string | null {
  return /^[a-z][a-z0-9+.-]*:/i.test(audience) && !isEntraApi(audience) ? audience : null;
}

/** An Entra ID application id URI: Entra grants a token for it by scope, and refuses `resource`. */
const isEntraApi = (audience: string): boolean => audience.startsWith('api://');

const scopeFor = (audience: string): string =>
  isEntraApi(audience) ? `openid profile ${audience}/.default` : 'openid profile';

/** Sends the browser to the issuer: authorization code with PKCE (S256). */
export async function startSignIn(oidc: NonNullable<ConsoleConfig['oidc']>): Promise<void> {
  const issuer = new URL(oidc.issuer);
  const as = await discover(issuer);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopeFor(oidc.audience));
  const resource = resourceOf(oidc.audience);
  if (resource) url.searchParams.set('resource', resource);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  location.assign(url.href);
}

/** Whether this page load is the issuer sending the browser back with a code (or an error). */
export const isCallback = (): boolean => {
  const params = new URLSearchParams(location.search);
  return params.has('state') && (params.has('code') || params.has('error'));
};

/** Exchanges the code for an access token, kept in memory; the query and the verifier go away. */
export async function finishSignIn(oidc: NonNullable<ConsoleConfig['oidc']>): Promise<void> {
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  const current = new URL(location.href);
  history.replaceState(null, '', '/console/');
  if (!pending) throw new Error('no sign-in was started from this tab');
  const { verifier, state } = JSON.parse(pending) as { verifier: string; state: string };
  const issuer = new URL(oidc.issuer);
  const as = await discover(issuer);
  const client: oauth.Client = { client_id: oidc.clientId };
  const params = oauth.validateAuthResponse(as, client, current, state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    verifier,
    { ...options(issuer), ...(resourceOf(oidc.audience) ? { additionalParameters: { resource: oidc.audience } } : {}) },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  setToken(result.access_token);
}
