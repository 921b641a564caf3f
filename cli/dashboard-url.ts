// The address of a job's live dashboard (the `dashboard` web action) on the OpenWhisk the command talks to.
import type openwhisk from 'openwhisk';
import type { Target } from './target.ts';

/** Web URLs need the namespace by name; `_` (the caller's own) is looked up. */
async function namespaceOf(client: openwhisk.Client, target: Target): Promise<string> {
  if (target.namespace !== '_') return target.namespace;
  try {
    const list = (await client.namespaces.list()) as unknown;
    const first = Array.isArray(list) ? list[0] : undefined;
    const name = typeof first === 'string' ? first : (first as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name !== '' ? name : '_';
  } catch {
    return '_';
  }
}

export async function dashboardUrl(client: openwhisk.Client, target: Target, jobId: string): Promise<string> {
  const host = /^[a-z]+:\/\//i.test(target.apihost) ? target.apihost : `https://${target.apihost}`;
  const ns = await namespaceOf(client, target);
  const base = host.replace(/\/+$/, '');
  return `${base}/api/v1/web/${encodeURIComponent(ns)}/default/dashboard.html?jobId=${encodeURIComponent(jobId)}`;
}
