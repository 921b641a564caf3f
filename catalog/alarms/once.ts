// /whisk.system/alarms/once, a feed: fires its trigger once at `date` (`trigger_payload`, `deleteAfterFire`: false, true or rules).
import { forwardToProvider } from './feed.ts';

export function main(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return forwardToProvider('once', params);
}
