// Per-namespace admission: concurrent invocations in flight, invocations and trigger fires per minute.
import { WhiskError } from '../errors.ts';
import { Messages } from '../messages.ts';

/** Counts events over the last 60 s in one-second buckets. */
class MinuteCounter {
  private readonly buckets = new Array<number>(60).fill(0);
  private readonly stamps = new Array<number>(60).fill(0);

  count(now: number): number {
    const second = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < 60; i++) if (second - this.stamps[i] < 60) total += this.buckets[i];
    return total;
  }

  add(now: number): void {
    const second = Math.floor(now / 1000);
    const i = second % 60;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i]++;
  }
}

interface NamespaceState {
  inFlight: number;
  invocations: MinuteCounter;
  fires: MinuteCounter;
}

export interface ThrottleLimits {
  concurrentInvocations: number;
  invocationsPerMinute: number;
  firesPerMinute: number;
}

export class Throttle {
  private readonly namespaces = new Map<string, NamespaceState>();

  constructor(private readonly limits: ThrottleLimits) {}

  private state(ns: string): NamespaceState {
    let s = this.namespaces.get(ns);
    if (!s) {
      s = { inFlight: 0, invocations: new MinuteCounter(), fires: new MinuteCounter() };
      this.namespaces.set(ns, s);
    }
    return s;
  }

  /**
   * Admits one invocation from outside (an invoke or a rule's action), or throws 429: it counts against the
   * invocations per minute, and is refused while the namespace's activations in flight are at the limit. The
   * activations themselves are counted in flight by `hold`.
   */
  admitInvocation(ns: string): void {
    const s = this.state(ns);
    const now = Date.now();
    const perMinute = s.invocations.count(now);
    if (perMinute >= this.limits.invocationsPerMinute) {
      throw new WhiskError(429, Messages.tooManyRequests(perMinute, this.limits.invocationsPerMinute));
    }
    if (s.inFlight >= this.limits.concurrentInvocations) {
      throw new WhiskError(429, Messages.tooManyConcurrentRequests(s.inFlight, this.limits.concurrentInvocations));
    }
    s.invocations.add(now);
  }

  /**
   * Counts one action activation in flight until the returned function is called. As in OpenWhisk, every activation
   * that runs in a container counts (an action, each component of a sequence, each conductor step), never refused
   * once its invocation was admitted; a sequence or composition itself takes no slot of its own.
   */
  hold(ns: string): () => void {
    const s = this.state(ns);
    s.inFlight++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        s.inFlight--;
      }
    };
  }

  admitFire(ns: string): void {
    const s = this.state(ns);
    const now = Date.now();
    const perMinute = s.fires.count(now);
    if (perMinute >= this.limits.firesPerMinute) {
      throw new WhiskError(429, Messages.tooManyRequests(perMinute, this.limits.firesPerMinute));
    }
    s.fires.add(now);
  }
}
