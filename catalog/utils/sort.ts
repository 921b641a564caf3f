// /whisk.system/utils/sort: the lines sorted (JavaScript's default string order), with their count.
import { linesOf } from './lines.ts';

export function main(params: { lines?: unknown }): { lines: string[]; length: number } {
  const lines = linesOf(params).sort();
  return { lines, length: lines.length };
}
