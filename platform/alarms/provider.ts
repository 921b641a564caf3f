// The alarms provider: what openwhisk-package-alarms runs beside a real OpenWhisk. The `/whisk.system/alarms` feed
// actions hand it their lifecycle events (CREATE, READ, UPDATE, DELETE, PAUSE, UNPAUSE); it keeps each trigger's
// schedule and fires the trigger through the REST API with the key the feed was given (the trigger owner's), so a
// fire is admitted, throttled and recorded like any other. Alarms live as long as the platform, as its entities do.
import { type AlarmConfig, AlarmConfigError, type CronRules, type FeedKind, nextFire, parseConfig } from './schedule.ts';

/** Longest single wait; later fires are reached in steps (setTimeout's limit is about 24.8 days). */
const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

interface Alarm {
  key: string;
  namespace: string;
  trigger: string;
  authKey: string;
  config: AlarmConfig;
  created: number;
  active: boolean;
  reason?: string;
  changed: number;
  lastFire: number;
  timer?: NodeJS.Timeout;
}

export interface FeedOwner {
  namespace: string;
  apiKey: string;
}

export interface FeedAnswer {
  status: number;
  body: Record<string, unknown>;
}

const EVENTS = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'PAUSE', 'UNPAUSE'];

export class AlarmProvider {
  private readonly alarms = new Map<string, Alarm>();
  private baseUrl = '';
  private stopped = false;

  constructor(
    private readonly minuteMs: number,
    private readonly cronRules: CronRules,
  ) {}

  /** The API the provider fires triggers through; known once the server listens. */
  start(baseUrl: string): void {
    this.baseUrl = baseUrl;
    for (const alarm of this.alarms.values()) this.schedule(alarm);
  }

  stop(): void {
    this.stopped = true;
    for (const alarm of this.alarms.values()) clearTimeout(alarm.timer);
  }

  /** One lifecycle event of `feed` for a trigger of `owner`'s namespace. */
  handle(feed: FeedKind, owner: FeedOwner, msg: Record<string, unknown>): FeedAnswer {
    const event = String(msg.lifecycleEvent ?? '').toUpperCase();
    if (!EVENTS.includes(event)) return answer(400, `unsupported lifecycleEvent '${String(msg.lifecycleEvent)}'`);
    const trigger = triggerNameOf(msg.triggerName, owner.namespace);
    if (!trigger) return answer(400, `triggerName '${String(msg.triggerName)}' is not a trigger of namespace ${owner.namespace}`);
    const key = `${owner.namespace}/${trigger}`;
    const existing = this.alarms.get(key);
    if (event === 'CREATE') {
      if (existing) return answer(409, `trigger /${key} already has an alarm`);
      return this.configure(feed, owner, trigger, msg);
    }
    if (!existing || existing.config.feed !== feed) return answer(404, `trigger /${key} has no ${feed} alarm`);
    switch (event) {
      case 'READ':
        return { status: 200, body: describe(existing) };
      case 'UPDATE':
        return this.configure(feed, owner, trigger, { ...flatten(existing.config, Date.now()), ...msg }, existing);
      case 'DELETE':
        this.remove(existing);
        return { status: 200, body: {} };
      default:
        this.setActive(existing, event === 'UNPAUSE');
        return { status: 200, body: {} };
    }
  }

  private configure(feed: FeedKind, owner: FeedOwner, trigger: string, msg: Record<string, unknown>, old?: Alarm): FeedAnswer {
    const now = Date.now();
    let config: AlarmConfig;
    try {
      config = parseConfig(feed, msg, now, this.cronRules);
    } catch (err) {
      if (err instanceof AlarmConfigError) return answer(400, err.message);
      throw err;
    }
    if (old) clearTimeout(old.timer);
    const alarm: Alarm = {
      key: `${owner.namespace}/${trigger}`,
      namespace: owner.namespace,
      trigger,
      authKey: owner.apiKey,
      config,
      created: old?.created ?? now,
      active: old?.active ?? true,
      changed: now,
      lastFire: now,
    };
    this.alarms.set(alarm.key, alarm);
    this.schedule(alarm);
    return { status: 200, body: {} };
  }

  private remove(alarm: Alarm): void {
    clearTimeout(alarm.timer);
    if (this.alarms.get(alarm.key) === alarm) this.alarms.delete(alarm.key);
  }

  private setActive(alarm: Alarm, active: boolean, reason?: string): void {
    alarm.active = active;
    alarm.reason = reason;
    alarm.changed = Date.now();
    clearTimeout(alarm.timer);
    alarm.timer = undefined;
    if (active) this.schedule(alarm);
  }

  private schedule(alarm: Alarm): void {
    if (this.stopped || !this.baseUrl || !alarm.active) return;
    const at = nextFire(alarm.config, alarm.lastFire, alarm.created, this.minuteMs);
    if (at === undefined) {
      if (alarm.config.feed !== 'once') this.setActive(alarm, false, 'the alarm has no more fires (stopDate passed)');
      return;
    }
    const wait = Math.max(0, at - Date.now());
    alarm.timer = setTimeout(() => {
      if (wait > MAX_WAIT_MS) return this.schedule(alarm);
      alarm.lastFire = at;
      void this.fire(alarm).finally(() => {
        if (this.alarms.get(alarm.key) === alarm && alarm.config.feed !== 'once') this.schedule(alarm);
      });
    }, Math.min(wait, MAX_WAIT_MS));
    alarm.timer.unref();
  }

  private async fire(alarm: Alarm): Promise<void> {
    const url = `${this.triggerUrl(alarm)}`;
    let status: number;
    try {
      status = (await this.request('POST', url, alarm, alarm.config.payload)).status;
    } catch (err) {
      console.error(`alarms: could not fire trigger /${alarm.key}: ${(err as Error).message}`);
      return;
    }
    // As the alarms provider does: a trigger that is gone, or a key that no longer works, ends the alarm.
    if (status === 404 || status === 401 || status === 403) {
      this.setActive(alarm, false, `firing the trigger answered ${status}`);
      return;
    }
    // As the provider does: a fired `once` alarm is kept, disabled, unless it deletes its trigger (and then its record).
    if (alarm.config.feed === 'once') {
      if (alarm.config.deleteAfterFire === 'false') return this.setActive(alarm, false, 'Automatically disabled after firing once');
      this.remove(alarm);
      await this.deleteTrigger(alarm, alarm.config.deleteAfterFire === 'rules');
    }
  }

  /** The trigger, and with `rules` the rules on it, as `deleteAfterFire` asks. */
  private async deleteTrigger(alarm: Alarm, rules: boolean): Promise<void> {
    try {
      if (rules) {
        const got = await this.request('GET', this.triggerUrl(alarm), alarm);
        const names = Object.keys(((await got.json()) as { rules?: Record<string, unknown> }).rules ?? {});
        for (const fqn of names) {
          const name = fqn.split('/').pop()!;
          await this.request('DELETE', `${this.baseUrl}/api/v1/namespaces/${encodeURIComponent(alarm.namespace)}/rules/${encodeURIComponent(name)}`, alarm);
        }
      }
      await this.request('DELETE', this.triggerUrl(alarm), alarm);
    } catch (err) {
      console.error(`alarms: could not delete trigger /${alarm.key} after its fire: ${(err as Error).message}`);
    }
  }

  private triggerUrl(alarm: Alarm): string {
    return `${this.baseUrl}/api/v1/namespaces/${encodeURIComponent(alarm.namespace)}/triggers/${encodeURIComponent(alarm.trigger)}`;
  }

  private request(method: string, url: string, alarm: Alarm, body?: unknown): Promise<Response> {
    return fetch(url, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(alarm.authKey).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

function answer(status: number, error: string): FeedAnswer {
  return { status, body: { error } };
}

/** "/ns/name", "/_/name" or "name", in the owner's namespace; undefined otherwise. */
function triggerNameOf(v: unknown, namespace: string): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const parts = v.replace(/^\//, '').split('/');
  if (parts.length === 1 && !v.startsWith('/')) return parts[0];
  if (parts.length === 2 && (parts[0] === '_' || parts[0] === namespace) && parts[1] !== '') return parts[1];
  return undefined;
}

/** A config back as feed parameters, so an UPDATE changes only what it names. */
function flatten(c: AlarmConfig, now: number): Record<string, unknown> {
  const { feed: _feed, payload, ...rest } = c;
  // A start already passed is no longer a parameter to check ("must be in the future"), only history.
  if (rest.startDate && new Date(rest.startDate).getTime() <= now) delete rest.startDate;
  return { ...rest, trigger_payload: payload };
}

function describe(alarm: Alarm): Record<string, unknown> {
  const { feed: _feed, payload, ...rest } = alarm.config;
  return {
    config: { name: alarm.trigger, namespace: alarm.namespace, ...rest, payload },
    status: {
      active: alarm.active,
      dateChanged: alarm.changed,
      dateChangedISO: new Date(alarm.changed).toISOString(),
      ...(alarm.reason ? { reason: { kind: 'AUTO', message: alarm.reason } } : {}),
    },
  };
}
