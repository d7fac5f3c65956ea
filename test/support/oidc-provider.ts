import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';

const SERVER = resolve(__dirname, 'oidc-provider-server.mjs');

/** A person who can sign in at the test provider: the roles and the name its tokens carry. */
export interface TestAccount {
  readonly roles: readonly string[];
  readonly name?: string;
}

export const DEFAULT_ACCOUNTS: Record<string, TestAccount> = {
  'dpo.dina': { roles: ['dpo'] },
  'auditor.aud': { roles: ['auditor'] },
  'nobody.nils': { roles: [] },
};

export interface OidcProviderOptions {
  /**
   * The console's redirect URIs (its origin may also call the token endpoint). Loopback URIs
   * without a port match any port, so that they can name a ledger started after the provider.
   * @defaultValue ['http://127.0.0.1/console/']
   */
  readonly redirectUris?: readonly string[];
  readonly accounts?: Record<string, TestAccount>;
  readonly clientId?: string;
  /** The `aud` of the ledger's access tokens, and so the ledger's LEDGER_OIDC_AUDIENCE. */
  readonly audience?: string;
}

/** Claims for issueAccessToken: `roles` and `name` as the provider puts them, anything else as given. */
export interface TokenClaims {
  readonly roles?: readonly string[] | string;
  readonly name?: string;
  readonly [claim: string]: unknown;
}

export interface TestOidcProvider {
  readonly issuer: string;
  /** The console's public client (authorization code with PKCE S256). */
  readonly clientId: string;
  readonly audience: string;
  /** The provider's signing key (RS256), to forge tokens that borrow it. */
  readonly publicKey: KeyObject;
  readonly keyId: string;
  /** LEDGER_OIDC_* for a ledger that trusts this provider. */
  ledgerEnv(): Record<string, string>;
  /**
   * An access token for the ledger signed with the provider's own key, as the provider issues one
   * (`roles` a list, `preferred_username`, five minutes). `undefined` drops a claim.
   */
  issueAccessToken(claims?: TokenClaims): string;
  /** The authorization-code flow with PKCE, without a browser: the access token the console would get. */
  signInWithCode(accountId: string, redirectUri?: string): Promise<{ accessToken: string; idToken: string }>;
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A compact JWS of these parts, signed by `signer` over `header.payload` (none: an empty signature). */
export function encodeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signer: (input: Buffer) => Buffer = () => Buffer.alloc(0),
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(signer(Buffer.from(input)))}`;
}

const withoutUndefined = (claims: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));

/**
 * Starts a real OpenID provider (`oidc-provider`, its devInteractions login form: any password) on
 * 127.0.0.1 at a free port, with a public client for the console and accounts with a `roles` claim
 * and `preferred_username`. Its access tokens for the ledger are JWTs (a resource indicator).
 */
export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<TestOidcProvider> {
  const clientId = options.clientId ?? 'ledger-console';
  const audience = options.audience ?? 'processing-ledger';
  const redirectUris = options.redirectUris ?? ['http://127.0.0.1/console/'];
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      NO_COLOR: '1',
      OIDC_TEST_PROVIDER: JSON.stringify({
        clientId,
        audience,
        resource: `urn:test:${audience}`,
        redirectUris,
        accounts: options.accounts ?? DEFAULT_ACCOUNTS,
        signingKey: { ...privateKey.export({ format: 'jwk' }), kid: keyId, alg: 'RS256', use: 'sig' },
        cookieKey: randomBytes(32).toString('base64url'),
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const issuer = await announcedIssuer(child);
  const issueAccessToken = ({ name, ...claims }: TokenClaims = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: issuer,
      aud: audience,
      sub: randomUUID(),
      client_id: clientId,
      scope: 'ledger',
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      preferred_username: name,
      roles: [],
      ...claims,
    };
    return encodeJwt({ alg: 'RS256', typ: 'at+jwt', kid: keyId }, withoutUndefined(payload), (input) =>
      sign('sha256', input, privateKey),
    );
  };
  return {
    issuer,
    clientId,
    audience,
    publicKey,
    keyId,
    ledgerEnv: () => ({ LEDGER_OIDC_ISSUER: issuer, LEDGER_OIDC_AUDIENCE: audience, LEDGER_OIDC_CLIENT_ID: clientId }),
    issueAccessToken,
    signInWithCode: (accountId, redirectUri = redirectUris[0]!) =>
      signInWithCode({ issuer, clientId, redirectUri }, accountId),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The issuer the child prints once it listens; its output if it ends before. */
function announcedIssuer(child: ChildProcess): Promise<string> {
  const output: string[] = [];
  return new Promise((resolveIssuer, reject) => {
    child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    child.stdout!.on('data', (b: Buffer) => {
      output.push(b.toString());
      const line = output
        .join('')
        .split('\n')
        .find((l) => l.startsWith('{"issuer"'));
      if (line) resolveIssuer((JSON.parse(line) as { issuer: string }).issuer);
    });
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited with ${code}:\n${output.join('')}`)));
  });
}

/** Cookies by name, as a browser keeps them for one host. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  keep(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
    }
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function signInWithCode(
  client: { issuer: string; clientId: string; redirectUri: string },
  accountId: string,
): Promise<{ accessToken: string; idToken: string }> {
  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}): Promise<string> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: jar.header },
    });
    jar.keep(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status} at ${new URL(url).pathname}`);
    return new URL(location, url).href;
  };
  const verifier = b64url(randomBytes(32));
  const authorize = new URL(`${client.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: 'openid profile',
    state: b64url(randomBytes(8)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  const login = await go(authorize.href);
  const form = new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' });
  let next = await go(login, {
    method: 'POST',
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  // The provider resumes the authorization, then redirects to the console; no consent page (a first-party client).
  for (let hop = 0; hop < 5 && !next.startsWith(client.redirectUri); hop++) next = await go(next);
  const code = new URL(next).searchParams.get('code');
  if (!code) throw new Error(`no code: ${new URL(next).searchParams.get('error') ?? 'no error given'}`);
  // From the console's origin, as a browser sends it: the answer must let that origin read it (CORS).
  const origin = new URL(client.redirectUri).origin;
  const token = await fetch(`${client.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
    }),
  });
  const body = (await token.json()) as { access_token?: string; id_token?: string; error?: string };
  if (!body.access_token) throw new Error(`the token endpoint answered ${token.status} ${body.error ?? ''}`);
  if (token.headers.get('access-control-allow-origin') !== origin)
    throw new Error(`the token endpoint does not let ${origin} read its answer (CORS)`);
  return { accessToken: body.access_token, idToken: body.id_token! };
}
