// Activation records, bounded in memory: the oldest are dropped past `capacity` records or `maxBytes`.
import type { ActivationRecord } from './records.ts';
import { redactRecord } from './redact-record.ts';

export interface ListQuery {
  name?: string; // "name" or "pkg/name"
  since?: number;
  upto?: number;
  skip: number;
  limit: number;
}

export class ActivationStore {
  private readonly records = new Map<string, { record: ActivationRecord; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    /** Masked in every record stored (see `redactRecord`). */
    private readonly secrets: string[] = [],
  ) {}

  put(record: ActivationRecord): void {
    redactRecord(record, this.secrets);
    const bytes = approximateSize(record);
    const old = this.records.get(record.activationId);
    if (old) this.bytes -= old.bytes;
    this.records.set(record.activationId, { record, bytes });
    this.bytes += bytes;
    while (this.records.size > 1 && (this.records.size > this.capacity || this.bytes > this.maxBytes)) {
      const [oldest, entry] = this.records.entries().next().value as [string, { bytes: number }];
      this.records.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  get(namespace: string, id: string): ActivationRecord | undefined {
    const r = this.records.get(id)?.record;
    return r && r.namespace === namespace ? r : undefined;
  }

  /** Newest first, as OpenWhisk lists them. */
  list(namespace: string, q: ListQuery): { total: number; page: ActivationRecord[] } {
    const matches: ActivationRecord[] = [];
    for (const { record: r } of this.records.values()) {
      if (r.namespace !== namespace) continue;
      if (q.name !== undefined && !nameMatches(r, q.name)) continue;
      if (q.since !== undefined && r.start < q.since) continue;
      if (q.upto !== undefined && r.start > q.upto) continue;
      matches.push(r);
    }
    matches.sort((a, b) => b.start - a.start);
    return { total: matches.length, page: matches.slice(q.skip, q.skip + q.limit) };
  }

  get size(): number {
    return this.records.size;
  }
}

function nameMatches(r: ActivationRecord, name: string): boolean {
  if (r.name === name) return true;
  const path = r.annotations.find((a) => a.key === 'path')?.value;
  return typeof path === 'string' && path.endsWith(`/${name}`) && path.split('/').length === name.split('/').length + 1;
}

function approximateSize(r: ActivationRecord): number {
  let n = 512 + JSON.stringify(r.response.result ?? {}).length;
  for (const line of r.logs) n += line.length + 16;
  return n;
}
