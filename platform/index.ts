// The embedded OpenWhisk-compatible platform: one process, actions in child processes.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PlatformOptionsInput, resolveOptions } from './config.ts';
import { EntityStore } from './store/entities.ts';
import { ActivationStore } from './invoker/activations.ts';
import { Invoker } from './invoker/engine.ts';
import { Throttle } from './invoker/throttle.ts';
import { createServer } from './api/server.ts';
import { createContainerPool } from './invoker/pool.ts';
import { installCatalog } from './catalog/install.ts';
import { AlarmProvider } from './alarms/provider.ts';
import type { ContainerPool } from './invoker/types.ts';
import { Faults, type FaultsView } from './faults.ts';
import { secretsOf } from './secrets.ts';
import { COMPOSER_REDIS3_ENV, IMAGE_MODULES_MISSING, imageModulesDir } from './runtime/options.ts';
import { SYSTEM_KEY_FILE, storedSystemKey } from './system-key.ts';

export type { PlatformOptions, PlatformLimits, PlatformOptionsInput } from './config.ts';
export { GUEST_AUTH, SYSTEM_AUTH, SYSTEM_NAMESPACE, resolveOptions } from './config.ts';
export type { FaultOptions, FaultDecision, FaultStats, FaultsView, FaultKind } from './faults.ts';
export type { RedisClientFilter } from './faults-redis.ts';

export interface Platform {
  /** http://HOST:PORT */
  url: string;
  /** What clients use as `apihost`; the same as `url`. */
  apiHost: string;
  auth: string;
  namespace: string;
  /** The whisk.system key (the catalog's namespace). */
  systemAuth: string;
  /** The file that keeps `systemAuth` when the platform generated it. */
  systemKeyFile?: string;
  /** Injected faults: counters, the decision log, and `dropRedis()`. */
  faults: FaultsView;
  stop(): Promise<void>;
}

export async function startPlatform(input: PlatformOptionsInput = {}): Promise<Platform> {
  // Actions resolve the official image's modules (platform/runtime/): without them no action could load `openwhisk`.
  if (!imageModulesDir(fileURLToPath(new URL('.', import.meta.url)))) throw new Error(IMAGE_MODULES_MISSING);
  const resolved = resolveOptions(input);
  const generated = resolved.systemAuth === '';
  const options = generated ? { ...resolved, systemAuth: storedSystemKey(resolved.dataDir) } : resolved;
  let pool: ContainerPool | undefined;
  const store = new EntityStore();
  installCatalog(store);
  const faults = new Faults(options.faults);
  const secrets = secretsOf([options.auth, options.systemAuth, options.faults.redisUrl, ...options.secrets]);
  const activations = new ActivationStore(options.maxActivations, options.maxActivationMB * 1024 * 1024, secrets);
  // The pool needs the listen URL, known only once the server listens; runs start after that.
  const poolProxy: ContainerPool = {
    run: (req) => pool!.run(req),
    stop: () => pool?.stop() ?? Promise.resolve(),
    stats: () => pool?.stats() ?? { containers: 0, busy: 0, queued: 0 },
  };
  const throttle = new Throttle(options.limits);
  const invoker = new Invoker(store, activations, poolProxy, options.limits.actionSequenceLimit, (ns) => throttle.hold(ns));
  const alarms = new AlarmProvider(options.alarmMinuteMs, { limitCronFields: options.limitCronFields });
  const app = createServer({ options, store, activations, invoker, throttle, faults, alarms });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  const invokerPool = createContainerPool({
    apiHost: options.apiHost || url,
    userMemoryMB: options.userMemoryMB,
    idleMs: options.idleContainerMs,
    extraIdleMs: options.extraIdleContainerMs,
    faults,
    env: options.composerRedis3 ? { [COMPOSER_REDIS3_ENV]: 'true' } : undefined,
  });
  pool = invokerPool;
  const containerPids = new Map<string, number>();
  invokerPool.events.on('started', (id: string, pid: number | undefined) => pid !== undefined && containerPids.set(id, pid));
  invokerPool.events.on('removed', (id: string) => containerPids.delete(id));
  faults.containerPids = () => [...containerPids.values()];
  faults.start();
  alarms.start(url);

  let stopping: Promise<void> | undefined;
  return {
    url,
    apiHost: url,
    auth: options.auth,
    namespace: options.namespace,
    systemAuth: options.systemAuth,
    ...(generated ? { systemKeyFile: join(options.dataDir, SYSTEM_KEY_FILE) } : {}),
    faults,
    stop() {
      stopping ??= (async () => {
        faults.stop();
        alarms.stop();
        await pool!.stop();
        await app.close();
      })();
      return stopping;
    },
  };
}
