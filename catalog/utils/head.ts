// /whisk.system/utils/head: the first `num` lines (default 1).
import { linesOf } from './lines.ts';

export function main(params: { lines?: unknown; num?: unknown }): { lines: string[]; num: number } {
  const num = Number(params.num) || 1;
  return { lines: linesOf(params).slice(0, num), num };
}
