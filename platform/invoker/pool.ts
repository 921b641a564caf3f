// The container pool: warm reuse per action, memory-bounded cold starts with eviction of idle
// containers, a queue past the memory limit, and idle reaping. The queue is fair across actions: runs of one action
// wait in order, but an action with no container is served before actions that have some, and busy containers of
// others are retired (no new runs) to make room for it, so one action's long queue never starves another's.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Container, type Exchange } from './container.ts';
import type {
  ActivationStatus,
  ContainerPool,
  ContainerPoolOptions,
  RunnableAction,
  RunOutcome,
  RunRequest,
} from './types.ts';

const defaultRuntimePath = fileURLToPath(new URL('../../build/runtime/proxy.cjs', import.meta.url));

const EXITED = 'The action did not produce a valid response and exited unexpectedly.';
const INIT_EXITED = 'The action did not initialize and exited unexpectedly.';
/** OpenWhisk's answer when the container went past its memory limit, at init or at run. */
const MEMORY_EXHAUSTED = 'The action exhausted its memory and was aborted.';
const STOPPED = 'The container pool was stopped before the activation finished.';

type InitResult =
  | { ok: true; initStart: number; initEnd: number }
  | { ok: false; status: ActivationStatus; result: Record<string, unknown>; logs: string[]; initStart: number; initEnd: number };

interface Slot {
  id: string;
  key: string;
  memory: number;
  concurrency: number;
  active: number;
  state: 'starting' | 'ready' | 'retiring' | 'dead';
  container?: Container;
  /** Spawn + /init; the first run assigned to the slot is the one charged for it. */
  ready: Promise<InitResult>;
  initCharged: boolean;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

interface Waiting {
  req: RunRequest;
  key: string;
  requested: number;
  seq: number;
  resolve: (outcome: RunOutcome) => void;
}

/** Warm containers are shared only by runs of the same action version with the same code, limits and init env. */
function keyOf(a: RunnableAction): string {
  const l = a.limits;
  const env = a.initEnv ? `:${JSON.stringify(a.initEnv)}` : '';
  return `${a.fqn}@${a.version}#${a.main}:${a.binary ? 'b' : 'c'}:${a.code.length}:${l.memory}:${l.concurrency}:${l.logs}${env}`;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function simpleName(fqn: string): string {
  return fqn.slice(fqn.lastIndexOf('/') + 1);
}

/**
 * The pool, plus `events` for observers: `started` (containerId, pid) when a container's process
 * listens, `removed` (containerId) when a container leaves the pool.
 */
export interface InvokerPool extends ContainerPool {
  readonly events: EventEmitter;
}

class Pool implements InvokerPool {
  readonly events = new EventEmitter();
  private readonly slots = new Map<string, Slot[]>();
  /** Waiting runs per key, each FIFO; `seq` orders them across keys. */
  private readonly queues = new Map<string, Waiting[]>();
  private queued = 0;
  private seq = 0;
  private usedMemory = 0;
  private stopped = false;
  private counter = 0;
  private readonly runtimePath: string;

  constructor(private readonly opts: ContainerPoolOptions) {
    this.runtimePath = opts.runtimePath ?? defaultRuntimePath;
  }

  run(req: RunRequest): Promise<RunOutcome> {
    const requested = Date.now();
    if (this.stopped) return Promise.resolve(this.internalError(requested, STOPPED));
    if (req.action.limits.memory > this.opts.userMemoryMB) {
      return Promise.resolve(
        this.internalError(
          requested,
          `The action needs ${req.action.limits.memory} MB but the invoker has only ${this.opts.userMemoryMB} MB for containers.`,
        ),
      );
    }
    return new Promise((resolve) => {
      const key = keyOf(req.action);
      const q = this.queues.get(key) ?? [];
      q.push({ req, key, requested, seq: this.seq++, resolve });
      this.queues.set(key, q);
      this.queued++;
      this.dispatch();
    });
  }

  stats(): { containers: number; busy: number; queued: number } {
    let containers = 0;
    let busy = 0;
    for (const list of this.slots.values()) {
      containers += list.length;
      busy += list.filter((s) => s.active > 0).length;
    }
    return { containers, busy, queued: this.queued };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const waiting = [...this.queues.values()].flat();
    this.queues.clear();
    this.queued = 0;
    for (const w of waiting) w.resolve(this.internalError(w.requested, STOPPED));
    const all = [...this.slots.values()].flat();
    await Promise.all(all.map((s) => this.destroy(s)));
  }

  /**
   * Gives waiting runs free room in warm (or starting) containers of their action, then starts
   * containers for the oldest waiting runs while memory allows; past that, runs wait in FIFO order.
   */
  private dispatch(): void {
    if (this.queued === 0) return;
    for (const [key, q] of this.queues) {
      let slot: Slot | undefined;
      while (q.length > 0 && (slot = this.warmSlot(key))) this.assign(q.shift()!, slot);
      if (q.length === 0) this.queues.delete(key);
    }
    for (;;) {
      const oldest = this.nextForColdStart();
      if (!oldest) return;
      const w = oldest[0]!;
      if (!this.makeRoom(w.req.action.limits.memory, w.key)) {
        if (!this.hasContainer(w.key)) this.reserveFor(w.req.action.limits.memory, w.key);
        return;
      }
      const slot = this.coldSlot(w.req);
      // A container that runs several activations at once takes as many waiting runs as it can.
      while (oldest.length > 0 && slot.active < slot.concurrency) this.assign(oldest.shift()!, slot);
      if (oldest.length === 0) this.queues.delete(w.key);
    }
  }

  /**
   * The queue whose oldest run gets the next cold start: an action with no container first (the oldest such run), so
   * that no action waits behind another action's queue; then the oldest run of all.
   */
  private nextForColdStart(): Waiting[] | undefined {
    let oldest: Waiting[] | undefined;
    let oldestStarved: Waiting[] | undefined;
    for (const q of this.queues.values()) {
      if (!oldest || q[0]!.seq < oldest[0]!.seq) oldest = q;
      if (!this.hasContainer(q[0]!.key) && (!oldestStarved || q[0]!.seq < oldestStarved[0]!.seq)) oldestStarved = q;
    }
    return oldestStarved ?? oldest;
  }

  private hasContainer(key: string): boolean {
    return (this.slots.get(key)?.length ?? 0) > 0;
  }

  /**
   * An action with no container waits for memory held by busy containers of other actions with runs waiting: retire
   * enough of them (the least busy first) that their memory comes to it once their current runs end, rather than going to more runs
   * of their own actions' queues. Each action keeps its containers' runs; only new runs go elsewhere.
   */
  private reserveFor(memory: number, key: string): void {
    const all = [...this.slots.values()].flat();
    let coming = this.opts.userMemoryMB - this.usedMemory;
    for (const s of all) if (s.key !== key && (s.state === 'retiring' || (s.active === 0 && s.state === 'ready'))) coming += s.memory;
    // Only containers of actions with runs waiting would take new runs: the others give their memory back as they end.
    const busy = all
      .filter((s) => s.key !== key && this.queues.has(s.key) && (s.state === 'ready' || s.state === 'starting') && s.active > 0)
      .sort((a, b) => a.active - b.active);
    for (const s of busy) {
      if (coming >= memory) return;
      this.retire(s);
      coming += s.memory;
    }
  }

  private assign(w: Waiting, slot: Slot): void {
    this.queued--;
    this.execute(w, slot).then(w.resolve, (err) => w.resolve(this.internalError(w.requested, String(err))));
  }

  private warmSlot(key: string): Slot | undefined {
    const list = this.slots.get(key);
    if (!list) return undefined;
    let best: Slot | undefined;
    for (const s of list) {
      if ((s.state === 'ready' || s.state === 'starting') && s.active < s.concurrency) {
        // Prefer the busiest container that still has room, so idle ones can be reaped.
        if (!best || s.active > best.active) best = s;
      }
    }
    return best;
  }

  private makeRoom(memory: number, key: string): boolean {
    const free = () => this.opts.userMemoryMB - this.usedMemory;
    if (free() >= memory) return true;
    const idle = [...this.slots.values()]
      .flat()
      .filter((s) => s.active === 0 && s.state === 'ready' && s.key !== key)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    const reclaimable = idle.reduce((sum, s) => sum + s.memory, 0);
    if (free() + reclaimable < memory) return false;
    for (const s of idle) {
      if (free() >= memory) break;
      void this.destroy(s);
    }
    return true;
  }

  private coldSlot(req: RunRequest): Slot {
    const a = req.action;
    const slot: Slot = {
      id: `c${this.counter++}-${simpleName(a.fqn)}`,
      key: keyOf(a),
      memory: a.limits.memory,
      concurrency: Math.max(1, a.limits.concurrency),
      active: 0,
      state: 'starting',
      ready: Promise.resolve({ ok: true, initStart: 0, initEnd: 0 }),
      initCharged: false,
      lastUsed: Date.now(),
    };
    this.usedMemory += slot.memory;
    const list = this.slots.get(slot.key) ?? [];
    list.push(slot);
    this.slots.set(slot.key, list);
    slot.ready = this.startSlot(slot, a, this.opts.faults?.startDelay(a.fqn, req.activationId) ?? 0);
    return slot;
  }

  private async startSlot(slot: Slot, a: RunnableAction, delayMs: number): Promise<InitResult> {
    let container: Container;
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      container = await Container.start({
        id: slot.id,
        runtimePath: this.runtimePath,
        apiHost: this.opts.apiHost,
        concurrency: slot.concurrency,
        memoryMB: a.limits.memory,
        logLimitMB: a.limits.logs,
        env: this.opts.env,
      });
    } catch (err) {
      const now = Date.now();
      void this.destroy(slot);
      const status: ActivationStatus = 'whisk internal error';
      const message = this.stopped ? STOPPED : `Failed to start the action container: ${(err as Error).message}`;
      return { ok: false, status, result: { error: message }, logs: [], initStart: now, initEnd: now };
    }
    slot.container = container;
    this.events.emit('started', slot.id, container.pid);
    container.exited.then(() => {
      if (slot.state !== 'dead') void this.destroy(slot);
    });
    if (slot.state === 'dead') {
      await container.kill();
      const now = Date.now();
      return { ok: false, status: 'whisk internal error', result: { error: STOPPED }, logs: [], initStart: now, initEnd: now };
    }
    const initStart = Date.now();
    const ex = await container.init({ name: simpleName(a.fqn), main: a.main || 'main', code: a.code, binary: a.binary, env: a.initEnv ?? {} }, a.limits.timeout);
    const initEnd = Date.now();
    if (ex.kind === 'response' && ex.statusCode === 200) {
      if (slot.state === 'starting') slot.state = 'ready';
      return { ok: true, initStart, initEnd };
    }
    let status: ActivationStatus = 'action developer error';
    let result: Record<string, unknown>;
    if (ex.kind === 'timeout') result = { error: `The action exceeded its time limits of ${a.limits.timeout} milliseconds during initialization.` };
    else if (ex.kind === 'exited') {
      if (this.stopped) status = 'whisk internal error';
      result = { error: this.stopped ? STOPPED : container.memoryExhausted ? MEMORY_EXHAUSTED : INIT_EXITED };
    } else result = isDict(ex.body) && 'error' in ex.body ? ex.body : { error: `The action failed to initialize: ${ex.text}` };
    const logs = await container.killAndDrain();
    void this.destroy(slot);
    return { ok: false, status, result, logs, initStart, initEnd };
  }

  private async execute(w: Waiting, slot: Slot): Promise<RunOutcome> {
    if (slot.active++ === 0) slot.container?.hold(true);
    clearTimeout(slot.idleTimer);
    try {
      return await this.activate(w, slot);
    } finally {
      slot.active--;
      slot.lastUsed = Date.now();
      this.settle(slot);
    }
  }

  private async activate(w: Waiting, slot: Slot): Promise<RunOutcome> {
    const { req } = w;
    const a = req.action;
    const init = await slot.ready;
    const charged = !slot.initCharged;
    slot.initCharged = true;
    const cold = charged && init.initEnd > 0;
    if (!init.ok) {
      return {
        status: init.status,
        result: init.result,
        logs: charged ? init.logs : [],
        start: init.initEnd,
        end: init.initEnd,
        waitTime: Math.max(0, init.initStart - w.requested),
        initTime: init.initEnd - init.initStart,
        containerId: slot.id,
        cold,
      };
    }
    const container = slot.container!;
    const start = Date.now();
    const message: Record<string, unknown> = {
      value: req.params,
      namespace: req.namespace,
      action_name: a.fqn,
      action_version: a.version,
      activation_id: req.activationId,
      transaction_id: req.transactionId,
      deadline: String(start + a.limits.timeout),
    };
    if (a.provideApiKey) message.api_key = req.apiKey;
    const ex = await this.runWithFaults(container, message, req);
    const end = Date.now();
    const { status, result, logs } = await this.interpret(ex, slot, a);
    return {
      status,
      result,
      logs,
      start,
      end,
      waitTime: Math.max(0, (cold ? init.initStart : start) - w.requested),
      ...(cold ? { initTime: init.initEnd - init.initStart } : {}),
      containerId: slot.id,
      cold,
    };
  }

  /** An injected kill comes after its delay, or as the action answers: the answer is then lost with the container. */
  private async runWithFaults(container: Container, message: Record<string, unknown>, req: RunRequest): Promise<Exchange> {
    const killAfter = this.opts.faults?.killAfter(req.action.fqn, req.activationId);
    if (killAfter === undefined) return container.run(message, req.action.limits.timeout);
    const timer = setTimeout(() => void container.kill(), killAfter);
    const ex = await container.run(message, req.action.limits.timeout);
    clearTimeout(timer);
    if (ex.kind !== 'response') return ex;
    await container.kill();
    return { kind: 'exited', reason: 'killed by an injected fault' };
  }

  private async interpret(
    ex: Exchange,
    slot: Slot,
    a: RunnableAction,
  ): Promise<{ status: ActivationStatus; result: Record<string, unknown>; logs: string[] }> {
    const container = slot.container!;
    if (ex.kind === 'response') {
      const logs = container.nextLogs();
      if (ex.statusCode === 200 && isDict(ex.body)) {
        return { status: 'error' in ex.body ? 'application error' : 'success', result: ex.body, logs: await logs };
      }
      this.retire(slot);
      const result = isDict(ex.body) && 'error' in ex.body ? ex.body : { error: `The action did not produce a valid JSON response: ${ex.text}` };
      return { status: 'action developer error', result, logs: await logs };
    }
    const logs = container.killAndDrain();
    void this.destroy(slot);
    if (ex.kind === 'timeout') {
      return {
        status: 'action developer error',
        result: { error: `The action exceeded its time limits of ${a.limits.timeout} milliseconds.` },
        logs: await logs,
      };
    }
    if (this.stopped) return { status: 'whisk internal error', result: { error: STOPPED }, logs: await logs };
    return { status: 'action developer error', result: { error: container.memoryExhausted ? MEMORY_EXHAUSTED : EXITED }, logs: await logs };
  }

  /** No new runs go to the slot; it is destroyed once its current runs end. */
  private retire(slot: Slot): void {
    if (slot.state === 'ready' || slot.state === 'starting') slot.state = 'retiring';
  }

  private settle(slot: Slot): void {
    if (slot.container?.logsOutOfStep) this.retire(slot);
    if (slot.active === 0) {
      if (slot.state === 'retiring') void this.destroy(slot);
      else if (slot.state === 'ready') {
        slot.container?.hold(false);
        // One idle container per action stays warm for the idle time; the others a burst left are handed back sooner.
        const othersIdle = (this.slots.get(slot.key) ?? []).some((s) => s !== slot && s.state === 'ready' && s.active === 0);
        slot.idleTimer = setTimeout(() => {
          if (slot.active === 0 && slot.state === 'ready') void this.destroy(slot);
        }, othersIdle ? Math.min(this.opts.idleMs, this.opts.extraIdleMs ?? this.opts.idleMs) : this.opts.idleMs);
        slot.idleTimer.unref();
      }
    }
    this.dispatch();
  }

  private destroy(slot: Slot): Promise<void> {
    clearTimeout(slot.idleTimer);
    if (slot.state !== 'dead') {
      slot.state = 'dead';
      this.usedMemory -= slot.memory;
      const list = this.slots.get(slot.key);
      if (list) {
        const rest = list.filter((s) => s !== slot);
        if (rest.length > 0) this.slots.set(slot.key, rest);
        else this.slots.delete(slot.key);
      }
      // Freed memory may let queued runs start; dispatch after the current call stack unwinds.
      queueMicrotask(() => this.dispatch());
      const gone = slot.container ? slot.container.kill() : slot.ready.then(() => undefined);
      void gone.then(() => this.events.emit('removed', slot.id));
      return gone;
    }
    return slot.container ? slot.container.kill() : slot.ready.then(() => undefined);
  }

  private internalError(requested: number, message: string): RunOutcome {
    const now = Date.now();
    return {
      status: 'whisk internal error',
      result: { error: message },
      logs: [],
      start: now,
      end: now,
      waitTime: now - requested,
      containerId: '',
      cold: false,
    };
  }
}

export function createContainerPool(options: ContainerPoolOptions): InvokerPool {
  return new Pool(options);
}
