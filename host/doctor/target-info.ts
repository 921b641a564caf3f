// What an OpenWhisk says about itself: whether it answers and takes the key (GET /api/v1/namespaces), its runtimes
// and system limits (the info document: GET / on Apache OpenWhisk, GET /api/v1 where that carries them), and the
// namespace's limits (GET /api/v1/namespaces/_/limits).
type Dict = Record<string, unknown>;

export interface TargetAccess {
  apihost: string;
  /** "uuid:key" */
  auth: string;
}

export type Reply = { status: number; body: unknown } | { error: string };

const TIMEOUT_MS = 10_000;

function baseOf(apihost: string): string {
  return /^[a-z]+:\/\//i.test(apihost) ? apihost : `https://${apihost}`;
}

export async function getJson(target: TargetAccess, path: string): Promise<Reply> {
  try {
    const res = await fetch(new URL(path, baseOf(target.apihost)), {
      headers: { authorization: `Basic ${Buffer.from(target.auth).toString('base64')}`, accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)) };
  }
}

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The runtime kinds an info document lists, or undefined when it lists none. */
export function runtimeKinds(info: unknown): string[] | undefined {
  if (!isDict(info) || !isDict(info.runtimes)) return undefined;
  const kinds: string[] = [];
  for (const family of Object.values(info.runtimes)) {
    if (!Array.isArray(family)) continue;
    for (const runtime of family) if (isDict(runtime) && typeof runtime.kind === 'string') kinds.push(runtime.kind);
  }
  return kinds;
}

/** The first info document (GET /, then GET /api/v1) that lists runtimes; else the first that answered at all. */
export async function infoDocument(target: TargetAccess): Promise<Dict | undefined> {
  let first: Dict | undefined;
  for (const path of ['/', '/api/v1']) {
    const reply = await getJson(target, path);
    if (!('status' in reply) || reply.status !== 200 || !isDict(reply.body)) continue;
    if (runtimeKinds(reply.body) !== undefined) return reply.body;
    first ??= reply.body;
  }
  return first;
}
