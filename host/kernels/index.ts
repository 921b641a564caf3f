// Users' own kernels on a target: deploy, list, remove. A stand-in with the signatures the library calls until the
// real module lands; every call says it is not available yet.
import type openwhisk from 'openwhisk';

export interface DeployedKernel {
  name: string;
  version: string;
  actions: string[];
}

function notAvailable(what: string): Error {
  return new Error(`${what} is not available yet in this version of supercompute`);
}

export async function deployKernel(_ow: openwhisk.Client, _file: string, _options: { name?: string; force?: boolean } = {}): Promise<DeployedKernel> {
  throw notAvailable('deploying a kernel');
}

export async function listKernels(_ow: openwhisk.Client): Promise<DeployedKernel[]> {
  throw notAvailable('listing kernels');
}

export async function removeKernel(_ow: openwhisk.Client, _name: string, _options: { force?: boolean } = {}): Promise<void> {
  throw notAvailable('removing a kernel');
}
