// The memory limit past the JavaScript heap (buffers, native memory, worker threads): the process's resident set,
// read from /proc, checked often. A real OpenWhisk has the container's cgroup do this; without /proc (not Linux) only
// the heap cap holds.
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const CHECK_EVERY_MS = 100;
const procAvailable = fs.existsSync('/proc/self/status');

/** Calls `exceeded` once when the process's resident memory passes `limitMB`; returns the stop function. */
export function watchMemory(child: ChildProcess, limitMB: number, exceeded: () => void): () => void {
  if (!procAvailable) return () => {};
  const limitKB = limitMB * 1024;
  const timer = setInterval(() => {
    const rss = child.pid === undefined ? undefined : residentKB(child.pid);
    if (rss === undefined || rss <= limitKB) return;
    clearInterval(timer);
    exceeded();
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** The process's resident set in kB, or undefined when it cannot be read (gone, or no /proc). */
function residentKB(pid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}
