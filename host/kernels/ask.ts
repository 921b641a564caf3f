// The host asking a deployed kernel (its current version's control action) instead of loading kernels itself: its
// description (parameters, whether its result is an image). Planning a run is host/jobs/sizing.ts's.
import { HOST_RETRY } from '../target/target.ts';
import type openwhisk from 'openwhisk';
import { resolveKernel } from '../../pipeline/kernel-actions/catalog.ts';
import { callKernel, type KernelDescription } from '../../pipeline/kernel-actions/control.ts';
import type { OwClient } from '../../pipeline/openwhisk/ow.ts';

/** How long a deployed kernel's control action may take to answer the host, ms. */
export const ASK_KERNEL_MS = 60_000;

export async function describeDeployedKernel(ow: openwhisk.Client, kernel: string): Promise<KernelDescription> {
  const client = ow as unknown as OwClient;
  const v = await resolveKernel(client, kernel, HOST_RETRY);
  return callKernel<KernelDescription>(v.controlAction, 'describe', {}, { deadline: Date.now() + ASK_KERNEL_MS, ow: client });
}
