// /whisk.system/utils/cat: the lines as an array and as one text, like Unix cat.
import { linesOf } from './lines.ts';

export function main(params: { lines?: unknown }): { lines: string[]; payload: string } {
  const lines = linesOf(params);
  return { lines, payload: lines.join('\n') };
}
