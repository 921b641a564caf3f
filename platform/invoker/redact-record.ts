// The platform's secrets masked in an activation record before it is stored.
import type { ActivationRecord } from './records.ts';
import { redactText } from '../secrets.ts';

/**
 * Masks the secrets in a record, in place: in its logs, and in its result when the platform wrote it
 * (developer and internal errors: init failures, crashes, timeouts). Other results belong to the action
 * and may travel on to the next component of a sequence or composition, so they are left alone.
 */
export function redactRecord(record: ActivationRecord, secrets: string[]): void {
  if (secrets.length > 0 && record.logs.some((l) => secrets.some((s) => l.includes(s)))) {
    record.logs = record.logs.map((l) => redactText(l, secrets));
  }
  const { status, result } = record.response;
  if ((status === 'action developer error' || status === 'whisk internal error') && typeof result.error === 'string') {
    result.error = redactText(result.error, secrets);
  }
}
