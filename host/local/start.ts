// The one-machine start, written once for every caller (the library's `Supercompute.local()`, `supercompute demo`, the
// benchmarks and the tests): a Redis (the one named, or a private redis-server when none is named and none answers),
// the embedded platform, and the pipeline deployed on it. `restart()` is what a platform restart leaves: the platform
// stopped and started again on the same port, the pipeline deployed again, the jobs in Redis untouched.
import http from 'node:http';
import openwhisk from 'openwhisk';
import { startPlatform, type Platform, type PlatformOptionsInput } from '../../platform/index.ts';
import { resolveOptions } from '../../platform/config.ts';
import { deployManifest, type DeployManifestOptions } from '../manifest/deploy-pipeline.ts';
import type { DeploymentPlan } from '../manifest/deployment.ts';
import type { DeployEvent } from '../manifest/apply.ts';
import type { DeployedKernel } from '../kernels/deploy.ts';
import { ensureRedis, type RedisHandle } from './redis-server.ts';
import { isPortFree } from './free-port.ts';
import type { Target } from '../target/target.ts';

export interface LocalPipelineOptions {
  /** The Redis the actions use; default REDIS_URL, else a private redis-server when none answers at the default. */
  redisUrl?: string;
  /** The platform's options (port 0: any free port). */
  platform?: PlatformOptionsInput;
  /** This port when it is free and none was given (`supercompute demo`: 3233), else any free port. */
  preferPort?: number;
  /** Deploy-time overrides (`redisUrl` is always bound). */
  deploy?: Omit<DeployManifestOptions, 'log' | 'warn'>;
  /** Progress lines (what was started, what was deployed); default none. */
  log?: (line: string) => void;
}

export interface LocalPipeline {
  platform: Platform;
  target: Target;
  client: openwhisk.Client;
  redisUrl: string;
  /** The Redis was started for this pipeline (and stops with it). */
  startedRedis: boolean;
  plan: DeploymentPlan;
  /** What the deploy created or updated. */
  events: DeployEvent[];
  kernels: DeployedKernel[];
  /** The platform stopped and started again on its port, the pipeline deployed again. */
  restart(): Promise<void>;
  /** Stops the platform, then the Redis it started (if it started one). */
  close(): Promise<void>;
}

/** Secrets the platform masks in what it produces: the Redis URL and the S3 credentials that deploying binds. */
function secretsFor(redisUrl: string, given: readonly string[] = []): string[] {
  const aws = [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter((s): s is string => !!s && s.trim() !== '');
  return [redisUrl, ...aws, ...given];
}

export function clientFor(platform: Platform): openwhisk.Client {
  return openwhisk({ apihost: platform.apiHost, api_key: platform.auth, namespace: platform.namespace });
}

export function targetOf(platform: Platform): Target {
  const sources = { apihost: 'embedded', auth: 'embedded', namespace: 'embedded' } as const;
  return { apihost: platform.url, auth: platform.auth, namespace: platform.namespace, insecure: false, sources };
}

async function portFor(options: LocalPipelineOptions): Promise<number | undefined> {
  const given = options.platform?.port;
  if (given !== undefined || options.preferPort === undefined || (process.env.SUPERCOMPUTE_PLATFORM_PORT ?? '').trim() !== '') return given;
  return (await isPortFree(options.preferPort, resolveOptions({ ...options.platform, port: 0 }).host)) ? options.preferPort : 0;
}

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const log = options.log ?? (() => {});
  const redis: RedisHandle = await ensureRedis({ url: options.redisUrl });
  log(redis.started ? `started a private redis-server at ${redis.url}` : `using Redis at ${redis.url}`);
  const platformOptions: PlatformOptionsInput = { ...options.platform, secrets: secretsFor(redis.url, options.platform?.secrets) };
  const port = await portFor(options);
  if (port !== undefined) platformOptions.port = port;
  let platform: Platform | undefined;
  try {
    platform = await startPlatform(platformOptions);
    log(`embedded OpenWhisk platform at ${platform.url}`);
    const deploy = (on: Platform) => deployManifest(clientFor(on), { ...options.deploy, params: { ...options.deploy?.params, redisUrl: redis.url }, log: () => {}, warn: log });
    const deployed = await deploy(platform);
    log('deployed the pipeline');
    const local: LocalPipeline = {
      platform,
      target: targetOf(platform),
      client: clientFor(platform),
      redisUrl: redis.url,
      startedRedis: redis.started,
      plan: deployed.plan,
      events: deployed.events,
      kernels: deployed.kernels,
      async restart() {
        const samePort = Number(new URL(local.platform.url).port);
        await local.platform.stop();
        // Sockets kept alive to the stopped platform go with it, rather than being picked for the redeploy.
        http.globalAgent.destroy();
        local.platform = await startPlatform({ ...platformOptions, port: samePort });
        local.client = clientFor(local.platform);
        // A connection kept alive to the stopped platform may still be picked before its close is seen ("socket hang
        // up"): each failed try uses one up.
        for (let tries = 1; ; tries++) {
          try {
            ({ plan: local.plan, events: local.events, kernels: local.kernels } = await deploy(local.platform));
            return;
          } catch (err) {
            if (tries >= 10 || !/socket hang up|ECONNRESET/.test(String((err as Error).message))) throw err;
          }
        }
      },
      async close() {
        await local.platform.stop();
        await redis.stop();
      },
    };
    return local;
  } catch (err) {
    await platform?.stop();
    await redis.stop();
    throw err;
  }
}
