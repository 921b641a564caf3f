// One line saying what a deploy created, e.g. "16 actions, 1 trigger, 1 rule".
import type { DeployEvent } from '../host/manifest/apply.ts';

export function summarize(events: DeployEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ') || 'nothing';
}
