// Options and limits of the embedded platform, with OpenWhisk's names.
//
// Environment variables (each overrides the default; an explicit option overrides the environment):
//   SUPERCOMPUTE_PLATFORM_HOST                    listen address (default 127.0.0.1)
//   SUPERCOMPUTE_PLATFORM_PORT                    port (default 3233; 0 = any free port)
//   SUPERCOMPUTE_PLATFORM_NAMESPACE               namespace of the key (default guest)
//   SUPERCOMPUTE_PLATFORM_AUTH                    "uuid:key" accepted by basic auth
//   SUPERCOMPUTE_PLATFORM_SYSTEM_AUTH             "uuid:key" of the whisk.system namespace (the catalog's owner); default:
//                                                 standalone's with standalone's guest key, else one generated and kept
//                                                 in the data folder (system-key.ts)
//   SUPERCOMPUTE_PLATFORM_DATA_DIR                the platform's data folder (default
//                                                 $XDG_DATA_HOME/supercompute/platform, else ~/.local/share/...)
//   SUPERCOMPUTE_PLATFORM_API_HOST                __OW_API_HOST given to actions (default: the listen URL)
//   SUPERCOMPUTE_PLATFORM_CONCURRENT_INVOCATIONS  concurrentInvocations
//   SUPERCOMPUTE_PLATFORM_INVOCATIONS_PER_MINUTE  invocationsPerMinute
//   SUPERCOMPUTE_PLATFORM_FIRES_PER_MINUTE        firesPerMinute
//   SUPERCOMPUTE_PLATFORM_USER_MEMORY_MB          memory available to containers (default 3/4 of the machine's, at most 32 GiB)
//   SUPERCOMPUTE_PLATFORM_IDLE_CONTAINER_MS       idle time before a warm container is stopped
//   SUPERCOMPUTE_PLATFORM_EXTRA_IDLE_CONTAINER_MS idle time before an action's further idle containers (beyond one)
//                                                 are stopped (default 30000)
//   SUPERCOMPUTE_PLATFORM_MAX_ACTIVATIONS         activation records kept in memory
//   SUPERCOMPUTE_PLATFORM_MAX_ACTIVATION_MB       memory those records may take, approximately
//   SUPERCOMPUTE_PLATFORM_COMPOSER_REDIS3         "true": composer-generated conductor code gets redis 3 for `redis`
//                                                 (opt-in; the official nodejs:20 image has redis 4 only)
//   SUPERCOMPUTE_PLATFORM_ALARM_MINUTE_MS         length of a minute for the alarms provider's `interval` feed
//                                                 (default 60000; shorter only for tests and demonstrations)
//   SUPERCOMPUTE_PLATFORM_LIMIT_CRON_FIELDS       "true": the `alarm` feed refuses a seconds field other than 0, as the
//                                                 alarms provider installed with LIMIT_CRON_FIELDS does (default: off)
//   SUPERCOMPUTE_FAULTS                           fault injection options as JSON (see faults.ts)

import { totalmem } from 'node:os';
import { type FaultOptions, resolveFaultOptions } from './faults.ts';
import { defaultDataDir } from './system-key.ts';

export const GUEST_AUTH =
  '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

/** The whisk.system key of OpenWhisk standalone (ansible/files/auth.whisk.system). */
export const SYSTEM_AUTH =
  '789c46b1-71f6-4ed5-8c54-816aa4f8c502:abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

export const SYSTEM_NAMESPACE = 'whisk.system';

export interface Range {
  min: number;
  max: number;
  default: number;
}

export interface PlatformLimits {
  concurrentInvocations: number;
  invocationsPerMinute: number;
  firesPerMinute: number;
  /** Bytes, for invocation payloads, parameters and results. */
  maxPayloadSize: number;
  /** Bytes, for action code. */
  maxCodeSize: number;
  timeout: Range; // ms
  memory: Range; // MB
  logs: Range; // MB
  concurrency: Range;
  actionSequenceLimit: number;
  /** Longest a blocking invoke waits before answering 202, ms. */
  maxWaitForBlockingActivation: number;
}

export interface PlatformOptions {
  host: string;
  port: number;
  namespace: string;
  auth: string;
  /**
   * "uuid:key" of the `whisk.system` namespace, which owns the catalog (`utils`, `alarms`). Empty: the platform
   * generates one when it starts and keeps it in `dataDir` (the default whenever `auth` is not standalone's key).
   */
  systemAuth: string;
  /** Where the platform keeps what outlives it: the generated system key. */
  dataDir: string;
  /** __OW_API_HOST for actions; empty = the listen URL. */
  apiHost: string;
  limits: PlatformLimits;
  userMemoryMB: number;
  idleContainerMs: number;
  /** Idle time before an action's further idle containers, beyond one kept warm, are stopped, ms. */
  extraIdleContainerMs: number;
  maxActivations: number;
  maxActivationMB: number;
  /**
   * Give composer-generated conductor code redis 3 when it requires `redis`, as a custom runtime image would. Off by
   * default: the official nodejs:20 image has redis 4, on which composer's `parallel`/`map` fail.
   */
  composerRedis3: boolean;
  /** Length of a minute for the `interval` alarm feed, ms (60000; shorter only for tests and demonstrations). */
  alarmMinuteMs: number;
  /** The `alarm` feed refuses crons with seconds granularity, as openwhisk-package-alarms with LIMIT_CRON_FIELDS. */
  limitCronFields: boolean;
  /** Fault injection, for tests and demonstrations; none by default. */
  faults: FaultOptions;
  /** Further secrets (e.g. a Redis URL with a password) masked in what the platform produces, besides `auth`. */
  secrets: string[];
}

export const defaultLimits: PlatformLimits = {
  concurrentInvocations: 10_000,
  invocationsPerMinute: 600_000,
  firesPerMinute: 60_000,
  maxPayloadSize: 1024 * 1024,
  maxCodeSize: 48 * 1024 * 1024,
  timeout: { min: 100, max: 300_000, default: 60_000 },
  memory: { min: 128, max: 512, default: 256 },
  logs: { min: 0, max: 10, default: 10 },
  concurrency: { min: 1, max: 500, default: 1 },
  actionSequenceLimit: 50,
  maxWaitForBlockingActivation: 60_000,
};

/** Containers' memory by default: three quarters of this machine's, at most 32 GiB (the limits are per container). */
function machineMemoryBudgetMB(): number {
  return Math.min(32 * 1024, Math.floor((totalmem() / (1024 * 1024)) * 0.75));
}

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${v}"`);
  return n;
}

function envString(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

export type PlatformOptionsInput = Partial<Omit<PlatformOptions, 'limits'>> & { limits?: Partial<PlatformLimits> };

export function resolveOptions(input: PlatformOptionsInput = {}): PlatformOptions {
  const limits: PlatformLimits = {
    ...defaultLimits,
    concurrentInvocations: envNumber('SUPERCOMPUTE_PLATFORM_CONCURRENT_INVOCATIONS') ?? defaultLimits.concurrentInvocations,
    invocationsPerMinute: envNumber('SUPERCOMPUTE_PLATFORM_INVOCATIONS_PER_MINUTE') ?? defaultLimits.invocationsPerMinute,
    firesPerMinute: envNumber('SUPERCOMPUTE_PLATFORM_FIRES_PER_MINUTE') ?? defaultLimits.firesPerMinute,
    ...input.limits,
  };
  const auth = input.auth ?? envString('SUPERCOMPUTE_PLATFORM_AUTH') ?? GUEST_AUTH;
  return {
    host: input.host ?? envString('SUPERCOMPUTE_PLATFORM_HOST') ?? '127.0.0.1',
    port: input.port ?? envNumber('SUPERCOMPUTE_PLATFORM_PORT') ?? 3233,
    namespace: input.namespace ?? envString('SUPERCOMPUTE_PLATFORM_NAMESPACE') ?? 'guest',
    auth,
    // Standalone's published system key goes only with standalone's published guest key.
    systemAuth: input.systemAuth ?? envString('SUPERCOMPUTE_PLATFORM_SYSTEM_AUTH') ?? (auth === GUEST_AUTH ? SYSTEM_AUTH : ''),
    dataDir: input.dataDir ?? envString('SUPERCOMPUTE_PLATFORM_DATA_DIR') ?? defaultDataDir(),
    composerRedis3: input.composerRedis3 ?? envString('SUPERCOMPUTE_PLATFORM_COMPOSER_REDIS3') === 'true',
    alarmMinuteMs: input.alarmMinuteMs ?? envNumber('SUPERCOMPUTE_PLATFORM_ALARM_MINUTE_MS') ?? 60_000,
    limitCronFields: input.limitCronFields ?? envString('SUPERCOMPUTE_PLATFORM_LIMIT_CRON_FIELDS') === 'true',
    apiHost: input.apiHost ?? envString('SUPERCOMPUTE_PLATFORM_API_HOST') ?? '',
    limits,
    userMemoryMB: input.userMemoryMB ?? envNumber('SUPERCOMPUTE_PLATFORM_USER_MEMORY_MB') ?? machineMemoryBudgetMB(),
    idleContainerMs: input.idleContainerMs ?? envNumber('SUPERCOMPUTE_PLATFORM_IDLE_CONTAINER_MS') ?? 10 * 60_000,
    extraIdleContainerMs: input.extraIdleContainerMs ?? envNumber('SUPERCOMPUTE_PLATFORM_EXTRA_IDLE_CONTAINER_MS') ?? 30_000,
    maxActivations: input.maxActivations ?? envNumber('SUPERCOMPUTE_PLATFORM_MAX_ACTIVATIONS') ?? 20_000,
    maxActivationMB: input.maxActivationMB ?? envNumber('SUPERCOMPUTE_PLATFORM_MAX_ACTIVATION_MB') ?? 256,
    faults: resolveFaultOptions(input.faults),
    secrets: input.secrets ?? [],
  };
}
