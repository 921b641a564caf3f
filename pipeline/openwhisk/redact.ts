// Keeps credentials out of results, logs and error messages.

const secrets = new Set<string>();

/** Registers a secret (and, for a URL, its password) to be masked by `redact`. */
export function addSecret(value: string | undefined): void {
  if (!value) return;
  secrets.add(value);
  try {
    const u = new URL(value);
    if (u.password) secrets.add(decodeURIComponent(u.password));
    if (u.password) secrets.add(u.password);
  } catch {
    // not a URL
  }
}

export function redact(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  // Any credentials embedded in a URL, registered or not.
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi, '$1***@');
}

export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  return redact(msg ?? String(err));
}

export function registerEnvSecrets(params: Record<string, unknown>): void {
  addSecret(process.env.__OW_API_KEY);
  if (typeof params.redisUrl === 'string') addSecret(params.redisUrl);
  // The S3 credentials bound to the entry and kernel actions (pipeline/data/s3-settings.ts).
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) if (typeof params[name] === 'string') addSecret(params[name] as string);
}
