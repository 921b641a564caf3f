// The pipeline on a fresh embedded platform for a benchmark, through the one local start (host/local/start.ts), with
// per-action limits and default parameters overridden for the experiment.
import type openwhisk from 'openwhisk';
import type { Platform, PlatformLimits } from '../platform/index.ts';
import { startLocalPipeline } from '../host/local/start.ts';
import type { PlannedLimits } from '../host/manifest/deployment.ts';
import { JobClient } from '../host/jobs/client.ts';
import { request } from './http-client.ts';

export interface BenchPipelineOptions {
  /** Absent: the platform's default, as `supercompute platform` runs it. */
  userMemoryMB?: number;
  limits?: Partial<PlatformLimits>;
  redisUrl: string;
  /** Limits per action name, merged over the manifest's. */
  actionLimits?: Record<string, PlannedLimits>;
  /** Default parameters per action name, merged over the manifest's. */
  actionParams?: Record<string, Record<string, unknown>>;
  /** Limits of the built-in kernels' tasks actions (push-mode tasks and pull-mode workers). */
  kernelLimits?: PlannedLimits;
  /** The platform exactly as a user starts it: no benchmark-only retention of containers and records. */
  platformDefaults?: boolean;
}

export interface BenchPipeline {
  platform: Platform;
  client: openwhisk.Client;
  /** Submits, follows and reads jobs on this platform. */
  jobs: JobClient;
  /** The entry action's default parameters after overrides (fanout, leafSize, concurrency...). */
  entryParams: Record<string, unknown>;
  /** Each built-in kernel's tasks action (package-qualified), whose activations are a job's tasks or workers. */
  kernelAction: Record<string, string>;
  /** Each built-in kernel's push-mode tasks action (its tasks action when it waits on I/O). */
  pushAction: Record<string, string>;
  /** Activation records (with docs) of `name` that started at or after `since`. */
  activations(name: string, since: number): Promise<ActivationDoc[]>;
  countActivations(name: string, since: number): Promise<number>;
  stop(): Promise<void>;
}

export interface ActivationDoc {
  activationId: string;
  name: string;
  start: number;
  end: number;
  annotations?: Array<{ key: string; value: unknown }>;
  response: { success: boolean; result?: Record<string, unknown> };
}

export async function startBenchPipeline(opts: BenchPipelineOptions): Promise<BenchPipeline> {
  const local = await startLocalPipeline({
    redisUrl: opts.redisUrl,
    platform: opts.platformDefaults
      ? { port: 0 }
      : {
          port: 0,
          userMemoryMB: opts.userMemoryMB,
          limits: opts.limits,
          maxActivations: 200_000,
          // Keep warm containers for the whole benchmark.
          idleContainerMs: 30 * 60_000,
        },
    deploy: {
      actionParams: opts.actionParams,
      actionLimits: opts.actionLimits,
      ...(opts.kernelLimits ? { kernelLimits: { tasks: opts.kernelLimits, push: opts.kernelLimits } } : {}),
    },
  });
  try {
    const { platform, client, plan, kernels } = local;
    const entry = plan.actions.find((a) => a.name === 'supercompute');
    const base = `${platform.url}/api/v1/namespaces/_/activations`;
    const get = async (query: string): Promise<unknown> => {
      const res = await request(`${base}?${query}`, 'GET', undefined, platform.auth);
      return JSON.parse(res.body);
    };
    return {
      platform,
      client,
      jobs: new JobClient(client),
      entryParams: { ...(entry?.parameters ?? {}) },
      kernelAction: Object.fromEntries(kernels.map((k) => [k.name, k.tasksAction])),
      pushAction: Object.fromEntries(kernels.map((k) => [k.name, k.pushAction])),
      async activations(name, since) {
        const out: ActivationDoc[] = [];
        for (let skip = 0; ; skip += 200) {
          const page = (await get(`name=${encodeURIComponent(name)}&since=${since}&docs=true&limit=200&skip=${skip}`)) as ActivationDoc[];
          out.push(...page);
          if (page.length < 200) return out;
        }
      },
      async countActivations(name, since) {
        const r = (await get(`name=${encodeURIComponent(name)}&since=${since}&count=true`)) as { activations: number };
        return r.activations;
      },
      stop: () => local.close(),
    };
  } catch (err) {
    await local.close();
    throw err;
  }
}
