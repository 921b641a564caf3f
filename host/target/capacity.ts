// What an OpenWhisk tells a client about the room a job's workers have: the namespace's concurrent invocations
// (GET /api/v1/namespaces/_/limits) and the time limit of the kernel's tasks action, which runs the workers (GET of the action). Anything the target does
// not answer is left out; the plan then does without it. (An action's memory says nothing about the invokers' cores
// without their user memory, which the API does not show, so it is not read.)
import type openwhisk from 'openwhisk';

export interface TargetCapacity {
  concurrentInvocations?: number;
  workerTimeoutMs?: number;
}

export interface TargetAccess {
  apihost: string;
  /** "uuid:key" */
  auth: string;
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

async function namespaceLimits(target: TargetAccess): Promise<Record<string, unknown> | undefined> {
  const base = /^[a-z]+:\/\//i.test(target.apihost) ? target.apihost : `https://${target.apihost}`;
  try {
    const res = await fetch(new URL('/api/v1/namespaces/_/limits', base), {
      headers: { authorization: `Basic ${Buffer.from(target.auth).toString('base64')}` },
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function workerLimits(client: openwhisk.Client, workerAction: string): Promise<Record<string, unknown> | undefined> {
  try {
    const action = await client.actions.get({ name: workerAction, code: false } as { name: string });
    return (action as { limits?: Record<string, unknown> }).limits;
  } catch {
    return undefined;
  }
}

/** `workerAction`: the tasks action of the job's kernel (package-qualified). */
export async function readTargetCapacity(target: TargetAccess, client: openwhisk.Client, workerAction: string): Promise<TargetCapacity> {
  const [limits, worker] = await Promise.all([namespaceLimits(target), workerLimits(client, workerAction)]);
  const out: TargetCapacity = {};
  const concurrent = positive(limits?.concurrentInvocations);
  const timeout = positive(worker?.timeout);
  if (concurrent !== undefined) out.concurrentInvocations = concurrent;
  if (timeout !== undefined) out.workerTimeoutMs = timeout;
  return out;
}
