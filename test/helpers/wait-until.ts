// Waiting in a test for something to happen, bounded like every wait here by the lack of progress, not by the clock:
// `check` answers the value once it is there; `progress` (optional) names what moves meanwhile (a done count, a
// number of activations), so a slow machine that still moves forward keeps waiting.
import { DEFAULT_STALL_MS } from '../../host/jobs/client.ts';
import { waitForProgress } from '../../host/jobs/wait-for-progress.ts';

const POLL_MS = 100;

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, progress: () => Promise<unknown> = async () => ''): Promise<T> {
  return waitForProgress(
    async () => {
      const value = await check();
      if (value !== undefined) return { value, finished: true, progress: '' };
      return { value: undefined as T, finished: false, progress: JSON.stringify((await progress()) ?? '') };
    },
    { what, pollMs: POLL_MS, stallMs: DEFAULT_STALL_MS },
  );
}
