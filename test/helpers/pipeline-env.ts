// A platform on a free port with the pipeline deployed, a Redis connection on the database the pipeline uses,
// and the calls the pipeline tests make (submit over the web action, follow a job with the host's job client).
import { expect } from 'vitest';
import openwhisk from 'openwhisk';
import { createClient } from 'redis';
import type { FaultOptions, Platform, PlatformLimits } from '../../platform/index.ts';
import { jobKeys as keysOfJob, KEY_PREFIX } from '../../pipeline/store/keys.ts';
import { startLocalPipeline } from '../../host/local/start.ts';
import { BUILTIN_KERNELS, ZIPPED_KERNELS } from '../../host/kernels/prebuilt.ts';
import type { PlannedLimits } from '../../host/manifest/deployment.ts';
import type { JobStatus } from '../../pipeline/job/status.ts';
import { JobClient, type JobWaitOptions } from '../../host/jobs/client.ts';
import { rememberKernelVersions } from './job-spec.ts';

export const BASE_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The base Redis URL on database `db`, so that a test file's keys are its own. Without a password of its own it gets
 * one for the default user, which a Redis without `requirepass` accepts: a secret the pipeline must never show.
 */
export function redisUrlOnDb(db: number): { url: string; password: string } {
  const u = new URL(BASE_REDIS_URL);
  u.pathname = `/${db}`;
  if (!u.password) {
    u.username = 'default';
    u.password = `pw-${db}-never-shown-${Date.now().toString(36)}`;
  }
  return { url: u.toString(), password: decodeURIComponent(u.password) };
}

// The client's typings lag behind what it accepts; tests use it loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Client = Record<string, Record<string, (options?: any) => Promise<any>>>;

/** A job's status (pipeline/job/status.ts) as tests read it: reached into loosely (result, timings...). */
export type TestJobStatus = { [K in keyof JobStatus]: any } & Record<string, any>;

/** Status polls of a waiting test: often, so a test sees the end soon after it happens. */
const TEST_POLL_MS = 100;

export interface PipelineEnv {
  platform: Platform;
  ow: Client;
  /** The host's job client on this platform. */
  jobs: JobClient;
  /** `${url}/api/v1/web/guest/default` */
  web: string;
  redis: ReturnType<typeof createClient>;
  redisUrl: string;
  /** The password in `redisUrl`. */
  redisPassword: string;
  /** The namespace's Basic auth header, which the entry web action requires (`require-whisk-auth: true`). */
  authorization: string;
  /**
   * POSTs a job to the entry web action with the namespace's key (`auth: false` leaves it out); answers the HTTP status
   * and JSON body. With `.http` (default) the status is the action's and the body its answer; with `.json` the status
   * is always 200 and the body the action's whole HTTP response, `{statusCode, headers, body}` (OpenWhisk's rule).
   */
  submit(body: Record<string, unknown>, opts?: { ext?: 'json' | 'http'; action?: string; auth?: boolean }): Promise<{ status: number; body: Record<string, any> }>;
  /**
   * The job's status once it leaves `running`: the job client's wait, polling every 100 ms unless `pollMs` says
   * otherwise. It fails when the job makes no progress for `stallMs` (the client's default), not after a fixed time.
   */
  waitForJob(jobId: string, options?: JobWaitOptions): Promise<TestJobStatus>;
  /** Submits a job that must be accepted (200; the test fails showing the answer otherwise): its id. */
  submitAccepted(body: Record<string, unknown>): Promise<string>;
  /** `submitAccepted`, then `waitForJob`: the job's status once it ends. */
  run(body: Record<string, unknown>, options?: JobWaitOptions): Promise<TestJobStatus>;
  /** The tasks action (package-qualified) of each built-in kernel as deployed: `kernelAction.sleep`. */
  kernelAction: Record<string, string>;
  /** Each built-in kernel's push-mode tasks action (its tasks action when it waits on I/O). */
  pushAction: Record<string, string>;
  /** Every key under the job prefix on this database. */
  jobKeys(): Promise<string[]>;
  /** The ids of every job with a key on this database (a job left behind, even half-written, shows here). */
  jobIds(): Promise<string[]>;
  /**
   * The jobs of one test file on a database other files share: every job whose meta names `marker` (its input's
   * bucket, say), and every job with keys but no meta (half-written: no file's job should ever be).
   */
  jobIdsNaming(marker: string): Promise<string[]>;
  /**
   * Stops the platform (its containers die with their activations, and the records it kept go) and starts it again
   * on the same port with the same options, then deploys the pipeline again: what a platform restart leaves. Jobs in
   * Redis stay; `platform` is the new one.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipeline(opts: {
  /**
   * The Redis database (0–15), shared by several files: a file that compares every job id before and after a request
   * (`jobIds`), matches worker clients by database, counts worker slots or lists jobs keeps one to itself.
   */
  db: number;
  params?: Record<string, Record<string, unknown>>;
  limits?: Partial<PlatformLimits>;
  /** The invoker's memory for containers, MB (the platform's default otherwise): a small one saturates sooner. */
  userMemoryMB?: number;
  /** Limits per action, over the manifest's (e.g. `{ coordinate: { timeout: 1000 } }`). */
  actionLimits?: Record<string, PlannedLimits>;
  /** Limits of the built-in kernels' tasks actions (push-mode tasks, pull-mode workers), e.g. `{ timeout: 1000 }`. */
  kernelLimits?: PlannedLimits;
  /** Parameters bound at deploy time beside `redisUrl`, as the manifest's `$VAR` inputs would be (e.g. AWS_*). */
  deployParams?: Record<string, unknown>;
  /** Further secrets the platform masks in what it produces. */
  secrets?: string[];
  /**
   * Also deploy the built-in kernels shipped as zip actions (`sql`: DuckDB, 33 MB of base64 for each of its three
   * actions); the other built-in kernels are always deployed.
   */
  zippedKernels?: boolean;
  /** Fault injection; given `redisDrop`, dropped Redis connections are those of this pipeline's actions only. */
  faults?: FaultOptions & { redisDrop?: boolean };
}): Promise<PipelineEnv> {
  const { url: redisUrl, password: redisPassword } = redisUrlOnDb(opts.db);
  const { redisDrop, ...faults } = opts.faults ?? {};
  // Only this platform's actions' connections: their client names end in their process id.
  if (redisDrop) Object.assign(faults, { redisUrl, redisClientName: `supercompute-db${opts.db}-*-{pid}` });
  const local = await startLocalPipeline({
    redisUrl,
    platform: { port: 0, limits: opts.limits, userMemoryMB: opts.userMemoryMB, faults, secrets: opts.secrets ?? [] },
    deploy: {
      params: { ...opts.deployParams },
      actionParams: opts.params,
      actionLimits: opts.actionLimits,
      ...(opts.kernelLimits ? { kernelLimits: { tasks: opts.kernelLimits, push: opts.kernelLimits } } : {}),
      ...(opts.zippedKernels ? {} : { builtinKernels: Object.keys(BUILTIN_KERNELS).filter((name) => !ZIPPED_KERNELS[name]) }),
    },
  });
  const { platform, kernels } = local;
  const redis = createClient({ url: redisUrl });
  try {
    await redis.connect();
  } catch (err) {
    await local.close();
    throw err;
  }
  rememberKernelVersions(kernels);
  const kernelActions = Object.fromEntries(kernels.map((k) => [k.name, k.tasksAction]));
  const pushActions = Object.fromEntries(kernels.map((k) => [k.name, k.pushAction]));
  const whisk = openwhisk({ apihost: platform.url, api_key: platform.auth });
  const ow = whisk as unknown as Client;
  const jobs = new JobClient(whisk);
  const web = `${platform.url}/api/v1/web/guest/default`;
  const authorization = `Basic ${Buffer.from(platform.auth).toString('base64')}`;
  const jobKeys = async (): Promise<string[]> => {
    const out: string[] = [];
    for await (const k of redis.scanIterator({ MATCH: `${KEY_PREFIX}*`, COUNT: 1000 })) out.push(k);
    return out.sort();
  };

  const env: PipelineEnv = {
    platform,
    ow,
    jobs,
    web,
    redis,
    redisUrl,
    redisPassword,
    authorization,
    kernelAction: kernelActions,
    pushAction: pushActions,
    async submit(body, opts = {}) {
      const res = await fetch(`${web}/${opts.action ?? 'supercompute'}.${opts.ext ?? 'http'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.auth === false ? {} : { authorization }) },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    waitForJob(jobId, options = {}) {
      return jobs.wait(jobId, { pollMs: TEST_POLL_MS, ...options });
    },
    async submitAccepted(body) {
      const { status, body: answer } = await env.submit(body);
      expect(status, JSON.stringify(answer)).toBe(200);
      return answer.jobId as string;
    },
    async run(body, options) {
      return env.waitForJob(await env.submitAccepted(body), options);
    },
    jobIds: async () => [...new Set((await jobKeys()).map((k) => k.slice(KEY_PREFIX.length + 1).split('}')[0]!))].sort(),
    jobKeys,
    async jobIdsNaming(marker) {
      const named: string[] = [];
      for (const id of await env.jobIds()) {
        const meta = await redis.hGetAll(keysOfJob(id).meta);
        if (Object.keys(meta).length === 0 || Object.values(meta).some((v) => v.includes(marker))) named.push(id);
      }
      return named;
    },
    async restart() {
      await local.restart();
      env.platform = local.platform;
    },
    async stop() {
      await redis.quit().catch(() => {});
      await local.close();
    },
  };
  return env;
}
