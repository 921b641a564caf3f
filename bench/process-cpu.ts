// CPU time of this process and every process below it (the embedded platform's containers), read from Linux's /proc:
// on a machine shared with other work, CPU time says what a run cost where wall time says how long it waited too.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  cpuMs: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined; // ended meanwhile
  }
}

/** ms of CPU used so far by this process and its descendants still running; NaN where /proc is not Linux's. */
export function treeCpuMs(root = process.pid): number {
  const each = treeCpuByPid(root);
  if (!each) return NaN;
  let total = 0;
  for (const ms of each.values()) total += ms;
  return total;
}

/**
 * ms of CPU used since `before` (a treeCpuByPid) by the tree's processes running now. A process that ended meanwhile
 * (an idle container reaped) is left out rather than subtracted: its whole life's CPU would otherwise come off the
 * step's. NaN where /proc is not Linux's.
 */
export function treeCpuSinceMs(before: Map<number, number> | undefined, root = process.pid): number {
  const now = treeCpuByPid(root);
  if (!now || !before) return NaN;
  let total = 0;
  for (const [pid, ms] of now) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** ms of CPU used so far by each process of the tree (this process and its descendants still running). */
export function treeCpuByPid(root = process.pid): Map<number, number> | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const s = stat(pid);
    if (!s) continue;
    cpu.set(pid, s.cpuMs);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out = new Map<number, number>();
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.set(pid, cpu.get(pid) ?? 0);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The machine's logical CPUs. */
export const cpuCount = cpus().length;
