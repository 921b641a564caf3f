// /whisk.system/alarms/interval, a feed: fires its trigger every `minutes` (`startDate`, `stopDate`, `trigger_payload`).
import { forwardToProvider } from './feed.ts';

export function main(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return forwardToProvider('interval', params);
}
