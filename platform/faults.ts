// Fault injection for tests and demonstrations: killed containers, lost activations, slow container
// starts, 429 answers and dropped Redis connections. Every decision comes from a seeded stream, one
// per fault kind, so the same seed and the same sequence of activations give the same faults.
import { EventEmitter } from 'node:events';
import { redactText } from './secrets.ts';

export interface FaultOptions {
  /** Seed of every decision stream; random (and reported by `stats().seed`) when omitted. */
  seed?: number | string;
  /** Actions the faults apply to: names or `*` patterns matched against `name`, `pkg/name`, `ns/pkg/name`. Default: all. */
  actions?: string | string[];
  /** Probability that an activation's container is killed while it runs. */
  killContainer?: number;
  /** When the kill comes, ms after the run starts, [min, max]; at the latest when the action answers. Default [0, 0]. */
  killAfterMs?: [number, number];
  /** Probability that an invocation is accepted (202 with an id) but never runs and leaves no record. */
  dropActivation?: number;
  /** Probability that a container start is delayed; default 1 when `startDelayMs` is set. */
  startDelay?: number;
  /** The delay of a container start, ms, [min, max]. */
  startDelayMs?: [number, number];
  /** Probability that an invoke is answered 429. */
  throttle?: number;
  /** The last `length` of every `every` invokes of targeted actions are answered 429. */
  throttleBurst?: { every: number; length: number };
  /** Ms after the platform starts at which the Redis connections of actions are dropped. */
  redisDropAt?: number[];
  /** The Redis whose client connections are dropped. */
  redisUrl?: string;
  /**
   * `*` pattern over client names (`CLIENT SETNAME`); default: every normal client but the platform's own. `{pid}` in it
   * stands for the process id of each of this platform's live containers, so that only connections its actions opened
   * are dropped when their clients put their pid in their names.
   */
  redisClientName?: string;
}

export type FaultKind = 'killContainer' | 'dropActivation' | 'startDelay' | 'throttle' | 'redisDrop';
const KINDS: FaultKind[] = ['killContainer', 'dropActivation', 'startDelay', 'throttle', 'redisDrop'];

export interface FaultDecision {
  kind: FaultKind;
  /** Ordinal of the decision within its kind. */
  n: number;
  /** `/ns/pkg/name` of the action, or the Redis client filter for `redisDrop`. */
  action: string;
  fault: boolean;
  /** The delay (startDelay, killContainer) or the number of clients dropped (redisDrop). */
  value?: number;
  activationId?: string;
}

export interface FaultStats {
  seed: string;
  enabled: boolean;
  decisions: Record<FaultKind, number>;
  injected: Record<FaultKind, number>;
  redisClientsDropped: number;
  errors: string[];
}

/** What `Platform.faults` offers tests. `events` emits each injected fault under its kind. */
export interface FaultsView {
  readonly events: EventEmitter;
  stats(): FaultStats;
  /** Decisions in the order they were taken (the most recent 100,000). */
  log(): FaultDecision[];
  /** Drops the configured Redis connections now; resolves with how many were dropped. */
  dropRedis(): Promise<number>;
}

const LOG_LIMIT = 100_000;

/** A 32-bit hash of a string (FNV-1a with a final mix), to seed the streams. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for fault decisions. Returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function globRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

export function globMatch(pattern: string, value: string): boolean {
  return globRegExp(pattern).test(value);
}

function probability(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`faults.${name} must be a probability between 0 and 1`);
  return v;
}

function range(name: string, v: unknown): [number, number] | undefined {
  if (v === undefined) return undefined;
  const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x)) && v[0] <= v[1];
  if (!ok) throw new Error(`faults.${name} must be [min, max] in ms with 0 <= min <= max`);
  return v as [number, number];
}

/** Reads `SUPERCOMPUTE_FAULTS` (JSON) under explicit options; throws a clear error on a bad value. */
export function resolveFaultOptions(input: FaultOptions | undefined, env = process.env.SUPERCOMPUTE_FAULTS): FaultOptions {
  let fromEnv: FaultOptions = {};
  if (env !== undefined && env.trim() !== '') {
    try {
      fromEnv = JSON.parse(env) as FaultOptions;
    } catch {
      throw new Error('SUPERCOMPUTE_FAULTS must be a JSON object of fault options');
    }
    if (!fromEnv || typeof fromEnv !== 'object' || Array.isArray(fromEnv)) throw new Error('SUPERCOMPUTE_FAULTS must be a JSON object of fault options');
  }
  const o: FaultOptions = { ...fromEnv, ...input };
  probability('killContainer', o.killContainer);
  probability('dropActivation', o.dropActivation);
  probability('startDelay', o.startDelay);
  probability('throttle', o.throttle);
  range('killAfterMs', o.killAfterMs);
  range('startDelayMs', o.startDelayMs);
  if (o.throttleBurst !== undefined) {
    const b = o.throttleBurst;
    if (!b || !Number.isInteger(b.every) || !Number.isInteger(b.length) || b.every < 1 || b.length < 0 || b.length > b.every) {
      throw new Error('faults.throttleBurst must be {every, length} with integers 0 <= length <= every, every >= 1');
    }
  }
  if (o.redisDropAt !== undefined) {
    if (!Array.isArray(o.redisDropAt) || o.redisDropAt.some((t) => typeof t !== 'number' || !(t >= 0))) {
      throw new Error('faults.redisDropAt must be an array of ms after start');
    }
    if (o.redisDropAt.length > 0 && typeof o.redisUrl !== 'string') throw new Error('faults.redisDropAt needs faults.redisUrl');
  }
  if (o.actions !== undefined) {
    const list = Array.isArray(o.actions) ? o.actions : [o.actions];
    if (list.some((a) => typeof a !== 'string' || a === '')) throw new Error('faults.actions must be action names or patterns');
  }
  if (o.seed !== undefined && typeof o.seed !== 'number' && typeof o.seed !== 'string') throw new Error('faults.seed must be a number or a string');
  return o;
}

export class Faults implements FaultsView {
  readonly events = new EventEmitter();
  private readonly seed: string;
  private readonly streams: Record<FaultKind, () => number>;
  private readonly counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  private readonly injected = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  private readonly patterns: RegExp[];
  private readonly decisions: FaultDecision[] = [];
  private readonly errors: string[] = [];
  private redisDropped = 0;
  private timers: NodeJS.Timeout[] = [];

  /** This platform's live containers' process ids (set once its pool exists). */
  containerPids: () => number[] = () => [];

  constructor(private readonly o: FaultOptions) {
    this.seed = String(o.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.streams = Object.fromEntries(KINDS.map((k) => [k, prng(hash32(`${this.seed}/${k}`))])) as Record<FaultKind, () => number>;
    const actions = o.actions === undefined ? ['*'] : Array.isArray(o.actions) ? o.actions : [o.actions];
    this.patterns = actions.map(globRegExp);
    // Emitting 'error' without a listener would throw; failures are counted in stats instead.
    this.events.on('error', () => {});
  }

  get enabled(): boolean {
    const o = this.o;
    return Boolean(o.killContainer || o.dropActivation || o.startDelayMs || o.throttle || o.throttleBurst?.length || o.redisDropAt?.length);
  }

  /** `/ns/pkg/name` → whether the configured patterns target it. */
  targets(fqn: string): boolean {
    const parts = fqn.replace(/^\//, '').split('/');
    const candidates = [parts.slice(1).join('/'), parts[parts.length - 1], parts.join('/'), `/${parts.join('/')}`];
    return this.patterns.some((p) => candidates.some((c) => p.test(c)));
  }

  /** Decides one fault: draws two numbers (chance, amount) from the kind's stream, whatever the outcome. */
  private decide(kind: FaultKind, fqn: string, p: number, amount?: [number, number], activationId?: string, forced = false): FaultDecision {
    const stream = this.streams[kind];
    const u = stream();
    const v = stream();
    const fault = forced || u < p;
    const d: FaultDecision = { kind, n: this.counts[kind]++, action: fqn, fault };
    if (fault && amount) d.value = Math.round(amount[0] + v * (amount[1] - amount[0]));
    if (activationId) d.activationId = activationId;
    this.record(d);
    return d;
  }

  private record(d: FaultDecision): void {
    this.decisions.push(d);
    if (this.decisions.length > LOG_LIMIT) this.decisions.splice(0, this.decisions.length - LOG_LIMIT);
    if (d.fault) {
      this.injected[d.kind]++;
      this.events.emit(d.kind, d);
    }
  }

  /** Ms to kill the container after the run starts, or undefined to let it run. */
  killAfter(fqn: string, activationId: string): number | undefined {
    if (!this.o.killContainer || !this.targets(fqn)) return undefined;
    const d = this.decide('killContainer', fqn, this.o.killContainer, this.o.killAfterMs ?? [0, 0], activationId);
    return d.fault ? d.value : undefined;
  }

  /** Ms to hold a container start back; 0 for none. */
  startDelay(fqn: string, activationId: string): number {
    if (!this.o.startDelayMs || !this.targets(fqn)) return 0;
    const d = this.decide('startDelay', fqn, this.o.startDelay ?? 1, this.o.startDelayMs, activationId);
    return d.fault ? (d.value ?? 0) : 0;
  }

  /** True when the activation should be lost: accepted, never run, no record. */
  dropActivation(fqn: string, activationId: string): boolean {
    if (!this.o.dropActivation || !this.targets(fqn)) return false;
    return this.decide('dropActivation', fqn, this.o.dropActivation, undefined, activationId).fault;
  }

  /** True when the invoke should be answered 429. */
  throttleInvoke(fqn: string): boolean {
    const burst = this.o.throttleBurst;
    if ((!this.o.throttle && !burst?.length) || !this.targets(fqn)) return false;
    const n = this.counts.throttle;
    const inBurst = burst !== undefined && burst.length > 0 && n % burst.every >= burst.every - burst.length;
    return this.decide('throttle', fqn, this.o.throttle ?? 0, undefined, undefined, inBurst).fault;
  }

  async dropRedis(): Promise<number> {
    const url = this.o.redisUrl;
    const filter = this.o.redisClientName ?? '*';
    if (!url) throw new Error('faults.redisUrl is not set');
    try {
      const { dropRedisConnections } = await import('./faults-redis.ts');
      const pattern = this.o.redisClientName;
      const names = pattern?.includes('{pid}') ? this.containerPids().map((pid) => pattern.replaceAll('{pid}', String(pid))) : pattern === undefined ? undefined : [pattern];
      const dropped = names?.length === 0 ? 0 : await dropRedisConnections(url, names === undefined ? {} : { names });
      this.redisDropped += dropped;
      this.record({ kind: 'redisDrop', n: this.counts.redisDrop++, action: filter, fault: true, value: dropped });
      return dropped;
    } catch (err) {
      const message = redactText(`Redis connection drop failed: ${(err as Error)?.message ?? String(err)}`, [url]);
      this.errors.push(message);
      this.events.emit('error', new Error(message));
      return 0;
    }
  }

  /** Starts the `redisDropAt` schedule. */
  start(): void {
    for (const at of this.o.redisDropAt ?? []) {
      const timer = setTimeout(() => void this.dropRedis(), at);
      timer.unref();
      this.timers.push(timer);
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  stats(): FaultStats {
    return {
      seed: this.seed,
      enabled: this.enabled,
      decisions: { ...this.counts },
      injected: { ...this.injected },
      redisClientsDropped: this.redisDropped,
      errors: [...this.errors],
    };
  }

  log(): FaultDecision[] {
    return this.decisions.map((d) => ({ ...d }));
  }
}
