// /whisk.system/alarms/alarm, a feed: fires its trigger on a cron schedule (`cron`, `timezone`, `startDate`, `stopDate`, `trigger_payload`).
import { forwardToProvider } from './feed.ts';

export function main(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return forwardToProvider('alarm', params);
}
