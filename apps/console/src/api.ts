/**
 * Calls to the ledger's API, same origin, with the bearer token held in this module's memory
 * only: never in localStorage, sessionStorage or a cookie, so it ends with the page.
 */
let token: string | null = null;
let onSignedOut: () => void = () => undefined;

export const signedIn = (): boolean => token !== null;

export function setToken(value: string | null): void {
  token = value;
}

/** Called when the API refuses the token: the console asks for a sign-in again. */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

/** An answer the page shows in its own words: not there yet, not for this role, or failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
  }
}

export interface CallOptions {
  readonly reason?: string;
  readonly accept?: string;
  /** A token being tried at sign-in: its 401 is that page's to tell, not a session that ended. */
  readonly trying?: boolean;
}

async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.reason) headers['x-access-reason'] = options.reason;
  const response = await fetch(path, { headers, credentials: 'omit', cache: 'no-store' });
  if (response.status === 401 && !options.trying) {
    token = null;
    onSignedOut();
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { code?: string } | null;
    throw new ApiError(response.status, body?.code ?? null);
  }
  return response;
}

export const getJson = async <T>(path: string, options?: CallOptions): Promise<T> =>
  (await call(path, options)).json() as Promise<T>;

export const getText = async (path: string, options?: CallOptions): Promise<string> =>
  (await call(path, options)).text();

export const getBlob = async (path: string, options?: CallOptions): Promise<Blob> => (await call(path, options)).blob();

/** Whether the service's OpenAPI document lists a path: how the console knows what has landed. */
let paths: Promise<Set<string>> | null = null;
export function apiHasPath(path: string): Promise<boolean> {
  paths ??= fetch('/docs-json', { credentials: 'omit' })
    .then((r) => (r.ok ? (r.json() as Promise<{ paths?: Record<string, unknown> }>) : { paths: {} }))
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => new Set<string>());
  return paths.then((known) => known.has(path));
}
