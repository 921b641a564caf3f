// Keeps the platform's secrets (the API key, passwords in URLs it was given) out of what it produces:
// activation records (see invoker/redact-record.ts) and error answers.

const MASK = '***';
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi;

/** The strings to mask for `values`: each value, its key part after a ':' (API keys), a URL's password. */
export function secretsOf(values: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (!v) continue;
    out.add(v);
    const colon = v.indexOf(':');
    if (colon > 0 && !v.includes('//')) out.add(v.slice(colon + 1));
    try {
      const u = new URL(v);
      if (u.password) {
        out.add(u.password);
        out.add(decodeURIComponent(u.password));
      }
    } catch {
      // not a URL
    }
  }
  // Short strings would mask ordinary text.
  return [...out].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out.replace(URL_CREDENTIALS, `$1${MASK}@`);
}
