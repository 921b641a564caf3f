// Keeps the platform's secrets (the API key, passwords in URLs it was given) out of what it produces:
// activation records and error answers.
import type { ActivationRecord } from './invoker/records.ts';

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

/**
 * Masks the secrets in a record, in place: in its logs, and in its result when the platform wrote it
 * (developer and internal errors: init failures, crashes, timeouts). Other results belong to the action
 * and may travel on to the next component of a sequence or composition, so they are left alone.
 */
export function redactRecord(record: ActivationRecord, secrets: string[]): void {
  if (secrets.length > 0 && record.logs.some((l) => secrets.some((s) => l.includes(s)))) {
    record.logs = record.logs.map((l) => redactText(l, secrets));
  }
  const { status, result } = record.response;
  if ((status === 'action developer error' || status === 'whisk internal error') && typeof result.error === 'string') {
    result.error = redactText(result.error, secrets);
  }
}
