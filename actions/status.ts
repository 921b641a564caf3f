// Web action: the state of one job, `{jobId, state, done, total, result?, error?, timings?, doneTasks}` (`doneTasks`:
// base64 bitmap of the done tasks, task i at bit 7 - i % 8 of byte floor(i / 8)). A pure read: it writes nothing
// (a running job with no supervisor holding its lease gets one started).
// `waitMs` (a long-poll, at most MAX_STATUS_WAIT_MS): a running job's answer is held until the job ends or that
// long has passed, so a client learns of the end when it happens rather than at its next poll.
// `plot=timeline|histogram` answers the job's per-task records as SVG (`.../status.http?jobId=ID&plot=timeline`).
// An image result (Mandelbrot) is also served as PNG: `format=png` answers `{headers: {content-type: image/png},
// body: base64}`, read from the object store when the result is kept there (`resultRef` in the status; 413 for an image
// over OpenWhisk's 1 MB result limit, naming where it is). Web callers get every answer as an HTTP response (pipeline/http.ts), so `.http` URLs carry the real
// status code: 404 for an unknown job, 400 for a bad parameter.
import { awaitJob } from '../pipeline/job/await.ts';
import { redisUrlOf } from '../pipeline/job/settings.ts';
import { MAX_STATUS_WAIT_MS, type JobStatus } from '../pipeline/job/status.ts';
import { HttpError, answer, errorResult } from '../pipeline/http.ts';
import { isJobId } from '../pipeline/ids.ts';
import { integerOf } from '../pipeline/integer.ts';
import { JobStore } from '../pipeline/store/job-store.ts';
import { isPlotKind, jobPlot, PLOT_KINDS } from '../pipeline/views/job-plots.ts';
import { pngOf } from '../pipeline/views/png.ts';
import { deadline } from '../pipeline/ow.ts';
import { nudgeSupervisor } from '../pipeline/supervisor/remedies.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/redact.ts';
import { valueStoreFor } from '../pipeline/data/value-store.ts';
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

/**
 * The most base64 a PNG answer may carry: OpenWhisk refuses an action result over 1 MB (its whole JSON, headers
 * included), so a larger image is answered 413 with where to get it instead.
 */
const MAX_PNG_BODY_CHARS = 1024 * 1024 - 4096;

function tooLarge(jobId: string, base64Chars: number, where: string): HttpError {
  const bytes = Math.floor((base64Chars * 3) / 4);
  return new HttpError(413, `job ${jobId}'s image is ${bytes} bytes, more than a web action may answer (OpenWhisk's 1 MB result limit); ${where}`);
}

/** A done job's image as base64: inline in its result, or read from the object store when the result is kept there. */
async function imageOf(status: JobStatus, params: Record<string, unknown>): Promise<string> {
  const { jobId, resultRef } = status;
  const cliHint = `save it with \`supercompute status ${jobId} -o ${jobId}.png\``;
  if (!resultRef) {
    const png = pngOf(status.result);
    if (!png) throw new HttpError(415, `job ${jobId} (${status.kernel}) has no image result`);
    if (png.length > MAX_PNG_BODY_CHARS) throw tooLarge(jobId, png.length, cliHint);
    return png;
  }
  const image = resultRef.image;
  if (!image) throw new HttpError(415, `job ${jobId} (${status.kernel}) has no image result`);
  const base64Chars = Math.ceil(image.bytes / 3) * 4;
  if (base64Chars > MAX_PNG_BODY_CHARS) throw tooLarge(jobId, base64Chars, `it is at ${image.$ref}; ${cliHint}`);
  const store = valueStoreFor(params);
  if (!store) throw new HttpError(503, `job ${jobId}'s image is at ${image.$ref}, but the status action has no object store configured (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID)`);
  try {
    return (await store.get(image)).toString('base64');
  } catch (err) {
    throw new HttpError(502, errorMessage(err));
  }
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
    if (wantsPng(params)) {
      if (status.state !== 'done') throw new HttpError(409, `job ${jobId} is ${status.state}; no image yet`);
      return { headers: { 'content-type': 'image/png' }, body: await imageOf(status, params) };
    }
    return answer(params, { ...status, doneTasks: (await store.doneBitmap(jobId)).toString('base64') });
  } catch (err) {
    return errorResult(params, err);
  }
}
