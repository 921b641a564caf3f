// When an alarm fires next, for each of the three feeds, and the validation of their parameters (with the messages
// of openwhisk-package-alarms where it has them).
import { CronExpressionParser } from 'cron-parser';

export type FeedKind = 'alarm' | 'once' | 'interval';

export interface AlarmConfig {
  feed: FeedKind;
  cron?: string;
  timezone?: string;
  date?: string;
  minutes?: number;
  startDate?: string;
  stopDate?: string;
  deleteAfterFire?: 'false' | 'true' | 'rules';
  payload: Record<string, unknown>;
}

export class AlarmConfigError extends Error {}

function fail(message: string): never {
  throw new AlarmConfigError(message);
}

function dateParam(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null || v === '') return undefined;
  const d = new Date(v as string | number);
  if (typeof v === 'boolean' || Number.isNaN(d.getTime())) fail(`${name} parameter '${String(v)}' is not a valid Date`);
  return d.toISOString();
}

function payloadOf(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // a plain string travels as `payload`, as the alarms provider sends it
    }
  }
  return { payload: v };
}

/** Where the alarms provider is installed with LIMIT_CRON_FIELDS: a sixth (seconds) field other than `0` is refused. */
export interface CronRules {
  limitCronFields: boolean;
}

/** The provider's own rule: six fields or more, and the seconds field (sixth from the end) is not `0`. */
function hasSecondsGranularity(cron: string): boolean {
  const fields = cron.trim().split(/\s+/);
  return fields.length > 5 && fields[fields.length - 6] !== '0';
}

function checkCron(cron: string, timezone: string | undefined, rules: CronRules): void {
  if (rules.limitCronFields && hasSecondsGranularity(cron)) fail('cron pattern is limited to 5 fields with 1 minute as the finest granularity');
  try {
    CronExpressionParser.parse(cron, timezone ? { tz: timezone } : {});
  } catch (err) {
    fail(`cron pattern '${cron}' is not valid: ${(err as Error).message}`);
  }
}

/** The feed's parameters as an alarm, or an AlarmConfigError saying what is wrong. `now` for "in the future". */
export function parseConfig(feed: FeedKind, params: Record<string, unknown>, now: number, rules: CronRules): AlarmConfig {
  const config: AlarmConfig = { feed, payload: payloadOf(params.trigger_payload) };
  if (feed === 'once') {
    if (params.date === undefined || params.date === '') fail('alarms once trigger feed is missing the date parameter');
    config.date = dateParam(params, 'date');
    if (new Date(config.date!).getTime() <= now) fail(`date parameter '${String(params.date)}' must be in the future`);
    const del = params.deleteAfterFire === undefined ? 'false' : String(params.deleteAfterFire).toLowerCase();
    if (del !== 'false' && del !== 'true' && del !== 'rules') fail("deleteAfterFire parameter must be one of 'false', 'true' or 'rules'");
    config.deleteAfterFire = del;
    return config;
  }
  config.startDate = dateParam(params, 'startDate');
  config.stopDate = dateParam(params, 'stopDate');
  if (config.startDate && new Date(config.startDate).getTime() <= now) fail(`startDate parameter '${String(params.startDate)}' must be in the future`);
  const from = config.startDate ? new Date(config.startDate).getTime() : now;
  if (config.stopDate && new Date(config.stopDate).getTime() <= from) fail('stopDate parameter must be greater than the startDate');
  if (feed === 'interval') {
    const minutes = Number(params.minutes);
    if (params.minutes === undefined) fail('interval trigger feed is missing the minutes parameter');
    if (!Number.isInteger(minutes) || minutes <= 0) fail('the minutes parameter must be an integer greater than zero');
    config.minutes = minutes;
    return config;
  }
  if (typeof params.cron !== 'string' || params.cron.trim() === '') fail('alarms trigger feed is missing the cron parameter');
  config.timezone = typeof params.timezone === 'string' && params.timezone !== '' ? params.timezone : undefined;
  checkCron(params.cron, config.timezone, rules);
  config.cron = params.cron;
  return config;
}

/**
 * The time of the next fire after `after` (epoch ms), or undefined when the alarm has no more. `created` anchors
 * intervals without a startDate; `minuteMs` is a minute's length.
 */
export function nextFire(config: AlarmConfig, after: number, created: number, minuteMs: number): number | undefined {
  const stop = config.stopDate ? new Date(config.stopDate).getTime() : Infinity;
  const start = config.startDate ? new Date(config.startDate).getTime() : undefined;
  let next: number | undefined;
  if (config.feed === 'once') {
    const at = new Date(config.date!).getTime();
    next = at > after ? at : undefined;
  } else if (config.feed === 'interval') {
    const period = config.minutes! * minuteMs;
    const anchor = start ?? created + period;
    next = after < anchor ? anchor : anchor + (Math.floor((after - anchor) / period) + 1) * period;
  } else {
    const from = Math.max(after, (start ?? after) - 1);
    const expression = CronExpressionParser.parse(config.cron!, { currentDate: new Date(from), ...(config.timezone ? { tz: config.timezone } : {}) });
    next = expression.next().getTime();
  }
  return next !== undefined && next <= stop ? next : undefined;
}
