// The host asking a deployed kernel (its current version's control action) instead of loading kernels itself: the
// CLI's planning of a run, and whether its result is an image.
import type openwhisk from 'openwhisk';
import { resolveKernel, type KernelVersion } from '../../pipeline/kernel-catalog.ts';
import { callKernel, planOnDeployment, type KernelDescription } from '../../pipeline/kernel-control.ts';
import type { KernelPlan, KernelPlanRequest } from '../../pipeline/job/kernel-plan.ts';
import type { OwClient } from '../../pipeline/ow.ts';

const ASK_MS = 60_000;

/** The deployed kernel's checks on a job (400s for unknown kernels and bad params, as HttpError). */
export async function planWithDeployedKernel(ow: openwhisk.Client, kernel: string, request: KernelPlanRequest): Promise<KernelPlan & { deployed: KernelVersion }> {
  const client = ow as unknown as OwClient;
  const deployed = await resolveKernel(client, kernel);
  return { ...(await planOnDeployment(deployed.controlAction, request, { deadline: Date.now() + ASK_MS, ow: client })), deployed };
}

export async function describeDeployedKernel(ow: openwhisk.Client, kernel: string): Promise<KernelDescription> {
  const client = ow as unknown as OwClient;
  const v = await resolveKernel(client, kernel);
  return callKernel<KernelDescription>(v.controlAction, 'describe', {}, { deadline: Date.now() + ASK_MS, ow: client });
}
