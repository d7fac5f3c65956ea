// A real OpenID provider (the `oidc-provider` package) for tests, run as a child process by
// test/support/oidc-provider.ts: oidc-provider is an ES module, which Jest's CommonJS runtime
// cannot load. Its settings come as JSON in OIDC_TEST_PROVIDER; once it listens on 127.0.0.1 it
// prints one line of JSON with its issuer.
import { createServer } from 'node:http';
import Provider, { interactionPolicy } from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? '{}');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const onLoopback = (uri) => new URL(uri).protocol === 'http:' && LOOPBACK.has(new URL(uri).hostname);
/** A loopback URI matches the same URI on any port (RFC 8252 §7.3) when the client is registered as `native`. */
const sameOrigin = (origin, uri) =>
  new URL(uri).origin === origin ||
  (onLoopback(uri) && onLoopback(origin) && new URL(uri).hostname === new URL(origin).hostname);

/** Scopes of the ledger's resource: the console asks for them, the ledger reads the roles claim instead. */
const LEDGER_SCOPE = 'ledger';

/**
 * The default prompts, less the consent that a `native` client is asked for at every sign-in: the
 * console is first-party, its grant given at sign-in (loadExistingGrant below).
 */
function prompts() {
  const policy = interactionPolicy.base();
  policy.get('consent').checks.remove('native_client_prompt');
  return policy;
}

function configuration() {
  const { accounts, clientId, redirectUris, resource, audience, signingKey, cookieKey } = settings;
  const account = (id) => accounts[id] && { accountId: id, claims: async () => ({ sub: id, ...claimsOf(id) }) };
  const claimsOf = (id) => ({ preferred_username: accounts[id].name ?? id, roles: accounts[id].roles });
  return {
    clients: [
      {
        client_id: clientId,
        // A public client: a browser keeps no secret; PKCE stands in for one (required for such clients).
        token_endpoint_auth_method: 'none',
        // Redirect URIs on the loopback without a port then match the console on whichever port
        // the test's ledger got, which is chosen after the provider (whose issuer it needs) starts.
        application_type: redirectUris.every(onLoopback) ? 'native' : 'web',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: redirectUris,
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [cookieKey] },
    findAccount: async (_ctx, id) => account(id),
    claims: { openid: ['sub'], profile: ['preferred_username', 'roles'] },
    pkce: { required: () => true },
    interactions: { policy: prompts() },
    // The console's origin is its redirect URIs' origin: it may call the token endpoint from there.
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => sameOrigin(origin, uri)),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Without a `resource` parameter the console still gets a token for the ledger.
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: LEDGER_SCOPE,
          audience,
          accessTokenTTL: 10 * 60,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // The ledger's JWTs carry the roles and the name, as Entra ID's and Keycloak's do.
    extraTokenClaims: async (_ctx, token) =>
      token.kind === 'AccessToken' && accounts[token.accountId] ? claimsOf(token.accountId) : undefined,
    // A first-party console: the grant is given at sign-in, with no consent page (as an admin consent does).
    loadExistingGrant: async (ctx) => {
      const { provider, session, client } = ctx.oidc;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return provider.Grant.find(existing);
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile offline_access');
      grant.addOIDCClaims(['preferred_username', 'roles']);
      grant.addResourceScope(resource, LEDGER_SCOPE);
      await grant.save();
      return grant;
    },
    ttl: { AccessToken: 10 * 60, AuthorizationCode: 60, IdToken: 10 * 60, Interaction: 10 * 60, Session: 60 * 60 },
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
