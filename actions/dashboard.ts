// Web action: the live dashboard of one job (`.../dashboard.html?jobId=ID`), a page that polls the `status` web action
// of the same namespace and package, at a URL relative to the page.
import { dashboardHtml } from '../pipeline/views/dashboard-html.ts';
import { isJobId } from '../pipeline/job/ids.ts';
import { integerOf } from '../pipeline/job/integer.ts';

function escHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function page(statusCode: number, body: string) {
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/**
 * The status URL the page polls, relative to the page: the browser resolves it against the address it loaded the page
 * from, whatever scheme, host and path prefix a proxy in front gives it. Nothing in it comes from the request's Host
 * header, which OpenWhisk hands a web action as the caller sent it, so a caller could point an absolute URL anywhere;
 * nor from __OW_API_HOST, the address actions reach the API at, which a browser outside may not.
 */
export function statusUrlFor(params: Record<string, unknown>, jobId: string): string {
  // `dashboard.html/a/b` is served too (the rest is `__ow_path`): climb back to the action's folder.
  const extra = typeof params.__ow_path === 'string' ? params.__ow_path.split('/').length - 1 : 0;
  // `.http`: an error answers with its own status code (with `.json` OpenWhisk answers 200 whatever happened).
  return `${'../'.repeat(extra)}status.http?jobId=${encodeURIComponent(jobId)}`;
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
