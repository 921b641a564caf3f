// The `status` action's answers: the state of one job, `{jobId, state, done, total, result?, error?, timings?, doneTasks}` (`doneTasks`:
// base64 bitmap of the done tasks, task i at bit 7 - i % 8 of byte floor(i / 8)). A pure read: it writes nothing
// (a running job with no supervisor holding its lease gets one started).
// `waitMs` (a long-poll, at most MAX_STATUS_WAIT_MS): a running job's answer is held until the job ends or that
// long has passed, so a client learns of the end when it happens rather than at its next poll.
// `plot=stream|activity|timeline|histogram` answers the job's per-task records as SVG (`.../status.http?jobId=ID&plot=stream`),
// drawn by the same code as the dashboard.
// An image result (Mandelbrot) is also served as PNG: `format=png` answers `{headers: {content-type: image/png},
// body: base64}`, read from the object store when the result is kept there (`resultRef` in the status; 413 for an image
// over OpenWhisk's 1 MB result limit, naming where it is). `format=png&part=N` answers piece N of the image (bytes, under
// that limit, with `x-image-parts` and `x-image-bytes` headers), so a page can put any image together: the dashboard
// does. `view=1` adds `view`: the job's identity and its tasks' activity (activity-view.ts), with the
// records of the tasks listed in `records` (`0-95,120`). Web callers get every answer as an HTTP response (pipeline/openwhisk/http.ts), so `.http` URLs carry the real
// status code: 404 for an unknown job, 400 for a bad parameter.
import { awaitJob } from '../job/await.ts';
import { redisUrlOf } from '../job/settings.ts';
import { MAX_STATUS_WAIT_MS, type JobStatus, type StageProgress } from '../job/status.ts';
import { parseShuffle } from '../shuffle/stages.ts';
import { reduceJobIdOf } from '../shuffle/spec.ts';
import { HttpError, answer, errorResult } from '../openwhisk/http.ts';
import { isJobId } from '../job/ids.ts';
import { integerOf } from '../job/integer.ts';
import { JobStore } from '../store/job-store.ts';
import { isPlotKind, jobPlot, PLOT_KINDS } from './job-plots.ts';
import { pngOf } from './png.ts';
import { parseRanges } from './job-activity.ts';
import { activityView } from './activity-view.ts';
import { deadline } from '../openwhisk/ow.ts';
import { nudgeSupervisor } from '../supervisor/remedies.ts';
import { errorMessage } from '../openwhisk/redact.ts';
import { valueStoreFor } from '../data/value-store.ts';
import { getRedis } from '../store/redis.ts';

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

/** Bytes of one piece of an image (`part=N`): its base64 fits the same limit. */
export const PNG_PART_BYTES = Math.floor(MAX_PNG_BODY_CHARS / 4) * 3;

function tooLarge(jobId: string, base64Chars: number, where: string): HttpError {
  const bytes = Math.floor((base64Chars * 3) / 4);
  return new HttpError(413, `job ${jobId}'s image is ${bytes} bytes, more than a web action may answer (OpenWhisk's 1 MB result limit); ${where}`);
}

/** A done job's image: inline in its result, or read from the object store when the result is kept there. */
async function imageBytes(status: JobStatus, params: Record<string, unknown>): Promise<Buffer> {
  const { jobId, resultRef } = status;
  if (!resultRef) {
    const png = pngOf(status.result);
    if (!png) throw new HttpError(415, `job ${jobId} (${status.kernel}) has no image result`);
    return Buffer.from(png, 'base64');
  }
  const image = resultRef.image;
  if (!image) throw new HttpError(415, `job ${jobId} (${status.kernel}) has no image result`);
  const store = valueStoreFor(params);
  if (!store) throw new HttpError(503, `job ${jobId}'s image is at ${image.$ref}, but the status action has no object store configured (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID)`);
  try {
    return await store.get(image);
  } catch (err) {
    throw new HttpError(502, errorMessage(err));
  }
}

/** The whole image as base64, when it fits one answer. */
async function wholeImage(status: JobStatus, params: Record<string, unknown>): Promise<string> {
  const { jobId, resultRef } = status;
  const cliHint = `save it with \`supercompute status ${jobId} -o ${jobId}.png\`, or read it in pieces with part=0, 1, …`;
  const stored = resultRef?.image;
  if (stored && Math.ceil(stored.bytes / 3) * 4 > MAX_PNG_BODY_CHARS) throw tooLarge(jobId, Math.ceil(stored.bytes / 3) * 4, `it is at ${stored.$ref}; ${cliHint}`);
  const png = (await imageBytes(status, params)).toString('base64');
  if (png.length > MAX_PNG_BODY_CHARS) throw tooLarge(jobId, png.length, cliHint);
  return png;
}

/** Piece `part` of the image (PNG_PART_BYTES each), with how many there are. */
async function imagePart(status: JobStatus, params: Record<string, unknown>, part: number) {
  const bytes = await imageBytes(status, params);
  const parts = Math.max(1, Math.ceil(bytes.length / PNG_PART_BYTES));
  if (part >= parts) throw new HttpError(416, `job ${status.jobId}'s image has ${parts} part(s); part ${part} asked for`);
  return {
    headers: { 'content-type': 'application/octet-stream', 'x-image-parts': String(parts), 'x-image-bytes': String(bytes.length), 'cache-control': 'no-store' },
    body: bytes.subarray(part * PNG_PART_BYTES, (part + 1) * PNG_PART_BYTES).toString('base64'),
  };
}

function requestedPart(params: Record<string, unknown>): number | undefined {
  if (params.part === undefined || params.part === '') return undefined;
  const n = integerOf(params.part);
  if (n === undefined || n < 0 || n > 10_000) throw new HttpError(400, "'part' must be a piece number from 0");
  return n;
}

function requestedRecords(params: Record<string, unknown>, total: number): number[] {
  const raw = params.records ?? '';
  const asked = typeof raw === 'string' ? parseRanges(raw, total, total) : undefined;
  if (!asked) throw new HttpError(400, "'records' must list task indices as ranges, like 0-95,120");
  return asked;
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

/** The `status` action's answer to a request (secrets registered by the caller). */
/** A running shuffle map job's reduce stage, once its map tasks are all done and the stage exists. */
async function reduceStageOf(store: JobStore, jobId: string, status: JobStatus): Promise<StageProgress | undefined> {
  if (status.done < status.total) return undefined;
  const meta = await store.meta(jobId, false);
  if (!meta?.shuffle || parseShuffle(meta)?.mapJob !== undefined) return undefined;
  const reduceJobId = reduceJobIdOf(jobId);
  const reduce = await store.status(reduceJobId);
  return reduce ? { name: 'reduce', jobId: reduceJobId, state: reduce.state, done: reduce.done, total: reduce.total } : undefined;
}

export async function answerStatus(params: Record<string, unknown>) {
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
    if (status.state === 'running') {
      await nudgeSupervisor(store, jobId);
      const stage = await reduceStageOf(store, jobId, status);
      if (stage) status.stage = stage;
    }
    if (params.plot !== undefined) {
      const meta = await store.meta(jobId);
      if (!meta) throw new HttpError(404, `unknown job ${jobId}`);
      const records = await store.taskRecords(jobId);
      const view = await activityView(store, jobId, meta, await store.doneBitmap(jobId), [...records.keys()], Infinity);
      const svg = jobPlot(params.plot, { ...status, created: meta.created }, records, view);
      return { headers: { 'content-type': 'image/svg+xml' }, body: svg };
    }
    if (wantsPng(params)) {
      if (status.state !== 'done') throw new HttpError(409, `job ${jobId} is ${status.state}; no image yet`);
      const part = requestedPart(params);
      if (part !== undefined) return await imagePart(status, params, part);
      return { headers: { 'content-type': 'image/png' }, body: await wholeImage(status, params) };
    }
    const doneBits = await store.doneBitmap(jobId);
    const withView = params.view === '1' || params.view === 1 || params.view === true || params.view === 'true';
    if (withView && status.state !== 'cancelled') {
      const meta = await store.meta(jobId);
      if (meta) {
        const view = await activityView(store, jobId, meta, doneBits, requestedRecords(params, status.total));
        return answer(params, { ...status, doneTasks: doneBits.toString('base64'), view });
      }
    }
    return answer(params, { ...status, doneTasks: doneBits.toString('base64') });
  } catch (err) {
    return errorResult(params, err);
  }
}
