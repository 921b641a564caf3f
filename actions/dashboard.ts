// Web action: the live dashboard of one job (`.../dashboard.html?jobId=ID`), a page that polls the `status` web action
// of the same namespace and package, addressed through the host the request came to.
import { webBase } from '../pipeline/names.ts';
import { dashboardHtml } from '../pipeline/views/dashboard-html.ts';
import { isJobId } from '../pipeline/ids.ts';
import { integerOf } from '../pipeline/integer.ts';

function escHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function page(statusCode: number, body: string) {
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/**
 * The status URL the page polls. Without a forwarded scheme the URL is scheme-relative, so the browser uses the page's
 * own (a proxy may end TLS before the platform sees the request).
 */
export function statusUrlFor(params: Record<string, unknown>, jobId: string): string {
  const headers = (params.__ow_headers ?? {}) as Record<string, unknown>;
  const host = typeof headers.host === 'string' ? headers.host : '';
  const proto = typeof headers['x-forwarded-proto'] === 'string' ? headers['x-forwarded-proto'].split(',')[0]!.trim() : '';
  const base = webBase(process.env.__OW_ACTION_NAME ?? '', process.env.__OW_NAMESPACE ?? '_');
  // `.http`: an error answers with its own status code (with `.json` OpenWhisk answers 200 whatever happened).
  const path = `${base}status.http?jobId=${encodeURIComponent(jobId)}`;
  if (!host) return path;
  return `${/^https?$/.test(proto) ? `${proto}:` : ''}//${host}${path}`;
}

export async function main(params: Record<string, unknown>) {
  const jobId = params.jobId;
  if (jobId === undefined || jobId === '') return page(400, '<!doctype html><p>Missing parameter <code>jobId</code>.</p>');
  if (!isJobId(jobId)) return page(404, `<!doctype html><p>No job <code>${escHtml(String(jobId))}</code>.</p>`);
  const pollMs = integerOf(params.pollMs);
  return page(
    200,
    dashboardHtml({
      jobId,
      statusUrl: statusUrlFor(params, jobId),
      pollMs: pollMs === undefined ? undefined : Math.min(10_000, Math.max(100, pollMs)),
    }),
  );
}
