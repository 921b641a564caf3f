// What a task's record says about the process that ran it. Module state lives as long as the container's process
// (on OpenWhisk as on the embedded platform), so an id drawn at load names the container, and the first activation
// to ask is its cold one.
import { randomBytes } from 'node:crypto';

export const CONTAINER_ID = `${process.pid}-${randomBytes(4).toString('hex')}`;

/** When this process started (epoch ms). */
export const PROCESS_START = Math.round(performance.timeOrigin);

let ran = false;

/** True once per process: for the first caller. */
export function takeFirstRun(): boolean {
  if (ran) return false;
  ran = true;
  return true;
}
