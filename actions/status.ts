// Web action: the state of one job, `{jobId, state, done, total, result?, error?, timings?, doneTasks}` (`doneTasks`:
// base64 bitmap of the done tasks, task i at bit 7 - i % 8 of byte floor(i / 8)). A pure read: it writes nothing
// (a running job with no supervisor holding its lease gets one started).
// `waitMs` (a long-poll, at most MAX_STATUS_WAIT_MS): a running job's answer is held until the job ends or that
// long has passed, so a client learns of the end when it happens rather than at its next poll.
// `plot=timeline|histogram` answers the job's per-task records as SVG (`.../status.http?jobId=ID&plot=timeline`).
// An image result (Mandelbrot) is also served as PNG: `format=png` answers `{headers: {content-type: image/png},
// body: base64}`. Web callers get every answer as an HTTP response (pipeline/http.ts), so `.http` URLs carry the real
// status code: 404 for an unknown job, 400 for a bad parameter.
import { awaitJob } from '../pipeline/job/await.ts';
import { redisUrlOf } from '../pipeline/job/settings.ts';
import { MAX_STATUS_WAIT_MS } from '../pipeline/job/status.ts';
import { HttpError, answer, errorResult } from '../pipeline/http.ts';
import { isJobId } from '../pipeline/ids.ts';
import { integerOf } from '../pipeline/integer.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { isPlotKind, jobPlot, PLOT_KINDS } from '../pipeline/views/job-plots.ts';
import { pngOf } from '../pipeline/views/png.ts';
import { deadline } from '../pipeline/ow.ts';
import { nudgeSupervisor } from '../pipeline/supervisor/remedies.ts';
import { registerEnvSecrets } from '../pipeline/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';

function requestedJobId(params: Record<string, unknown>): unknown {
  if (params.jobId !== undefined) return params.jobId;
  // `.../status.http/ID` or `.../status.http/ID.png`
  const path = typeof params.__ow_path === 'string' ? params.__ow_path : '';
  const last = path.split('/').filter(Boolean).pop();
  return last?.replace(/\.(png|json)$/, '');
}

function wantsPng(params: Record<string, unknown>): boolean {
  const path = typeof params.__ow_path === 'string' ? params.__ow_path : '';
  return params.format === 'png' || path.endsWith('.png');
}

function requestedWaitMs(params: Record<string, unknown>): number {
  const raw = params.waitMs;
  if (raw === undefined || raw === '') return 0;
  const ms = integerOf(raw);
  if (ms === undefined || ms < 0 || ms > MAX_STATUS_WAIT_MS) {
    throw new HttpError(400, `'waitMs' must be a number of milliseconds from 0 to ${MAX_STATUS_WAIT_MS}`);
  }
  return ms;
}

export async function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  try {
    const jobId = requestedJobId(params);
    if (jobId === undefined || jobId === '') throw new HttpError(400, "missing parameter 'jobId'");
    // A malformed id cannot name a job: same answer as an unknown one.
    if (!isJobId(jobId)) throw new HttpError(404, 'unknown job');
    const waitMs = requestedWaitMs(params);
    if (params.plot !== undefined && !isPlotKind(params.plot)) throw new HttpError(400, `parameter 'plot' must be one of ${PLOT_KINDS.join(', ')}`);
    const store = new JobStore(await getRedis(redisUrlOf(params)));
    const status = waitMs > 0 ? await awaitJob(store, jobId, Math.min(Date.now() + waitMs, deadline(2000))) : await store.status(jobId);
    if (!status) throw new HttpError(404, `unknown job ${jobId}`);
    if (status.state === 'running') await nudgeSupervisor(store, jobId);
    if (params.plot !== undefined) {
      const meta = await store.meta(jobId, false);
      const svg = jobPlot(params.plot, { ...status, created: meta?.created ?? Date.now() }, await store.taskRecords(jobId));
      return { headers: { 'content-type': 'image/svg+xml' }, body: svg };
    }
    const png = status.state === 'done' ? pngOf(status.result) : undefined;
    if (wantsPng(params)) {
      if (status.state !== 'done') throw new HttpError(409, `job ${jobId} is ${status.state}; no image yet`);
      if (!png) throw new HttpError(415, `job ${jobId} (${status.kernel}) has no image result`);
      return { headers: { 'content-type': 'image/png' }, body: png };
    }
    return answer(params, { ...status, doneTasks: (await store.doneBitmap(jobId)).toString('base64') });
  } catch (err) {
    return errorResult(params, err);
  }
}
