// The one-machine start: a Redis (the one at REDIS_URL or the given URL, or a private redis-server when none is
// named and none answers), the embedded platform on a free port, and the pipeline deployed on it.
import { startPlatform, type Platform } from '../../platform/index.ts';
import { deployManifest } from '../manifest/deploy-pipeline.ts';
import { ensureRedis, type RedisHandle } from '../local/redis-server.ts';
import { createClient, type Target } from '../target/target.ts';

export interface LocalOptions {
  /** The Redis the actions use; default REDIS_URL, else a private redis-server when none answers at the default. */
  redisUrl?: string;
  /** The platform's port; 0 (default) = any free port. */
  port?: number;
  /** Progress lines (what was started, what was deployed); default none. */
  log?: (line: string) => void;
}

export interface LocalDeployment {
  target: Target;
  redisUrl: string;
  /** Stops the platform, then the Redis it started (if it started one). */
  close(): Promise<void>;
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalDeployment> {
  const log = options.log ?? (() => {});
  const redis: RedisHandle = await ensureRedis({ url: options.redisUrl });
  log(redis.started ? `started a private redis-server at ${redis.url}` : `using Redis at ${redis.url}`);
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({ host: '127.0.0.1', port: options.port ?? 0, secrets: [redis.url, ...[process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter((s): s is string => !!s && s.trim() !== '')] });
    log(`embedded OpenWhisk platform at ${platform.url}`);
    const target: Target = {
      apihost: platform.url,
      auth: platform.auth,
      namespace: platform.namespace,
      insecure: false,
      sources: { apihost: 'embedded', auth: 'embedded', namespace: 'embedded' },
    };
    await deployManifest(createClient(target), { params: { redisUrl: redis.url }, log: () => {}, warn: log });
    log('deployed the pipeline');
    const running = platform;
    return {
      target,
      redisUrl: redis.url,
      async close() {
        await running.stop();
        await redis.stop();
      },
    };
  } catch (err) {
    await platform?.stop();
    await redis.stop();
    throw err;
  }
}
