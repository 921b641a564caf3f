// `Supercompute.local()`: everything on this machine through the one local start (host/local/start.ts): a Redis, the
// embedded platform on a free loopback port, and the pipeline deployed on it.
import { startLocalPipeline } from '../local/start.ts';
import type { Target } from '../target/target.ts';

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
  const local = await startLocalPipeline({ redisUrl: options.redisUrl, platform: { host: '127.0.0.1', port: options.port ?? 0 }, log: options.log });
  return { target: local.target, redisUrl: local.redisUrl, close: () => local.close() };
}
