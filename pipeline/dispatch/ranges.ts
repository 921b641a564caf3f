// Task ranges: [from, to) of task indices. A coordinator either invokes `work` for its whole range (a leaf) or
// cuts it into at most `fanout` contiguous sub-ranges for child coordinators.

export interface Range {
  from: number;
  to: number;
}

export function splitRange(r: Range, fanout: number, leafSize: number): Range[] {
  const n = r.to - r.from;
  if (n <= leafSize) return [r];
  const parts = Math.min(fanout, Math.ceil(n / leafSize));
  const out: Range[] = [];
  for (let p = 0; p < parts; p++) {
    const from = r.from + Math.floor((n * p) / parts);
    const to = r.from + Math.floor((n * (p + 1)) / parts);
    if (to > from) out.push({ from, to });
  }
  return out;
}

/** How many leaves (ranges invoked as they are) the coordinator tree cuts `total` tasks into. */
export function leafCount(total: number, fanout: number, leafSize: number): number {
  let leaves = 0;
  const pending: Range[] = [{ from: 0, to: total }];
  for (let r = pending.pop(); r; r = pending.pop()) {
    const parts = splitRange(r, fanout, leafSize);
    if (parts.length === 1 && parts[0] === r) leaves++;
    else pending.push(...parts);
  }
  return leaves;
}

/** Compresses sorted indices into ranges. */
export function toRanges(indices: readonly number[]): Range[] {
  const out: Range[] = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last && last.to === i) last.to = i + 1;
    else out.push({ from: i, to: i + 1 });
  }
  return out;
}

export function parseRange(from: unknown, to: unknown): Range | undefined {
  const f = Number(from);
  const t = Number(to);
  if (!Number.isInteger(f) || !Number.isInteger(t) || f < 0 || t <= f) return undefined;
  return { from: f, to: t };
}
