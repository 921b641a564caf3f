// Users' kernels on the host: build (bundle + check), deploy, list, remove, and asking a deployed kernel.
export { deployKernel, deployBuiltinKernels, listKernels, removeKernel, KernelDeployError } from './deploy.ts';
export type { DeployKernelOptions, DeployedKernel, KernelListing } from './deploy.ts';
export { KernelBuildError } from './bundle.ts';
export { KernelModuleError } from './validate.ts';
export { buildKernel } from './build.ts';
export { BUILTIN_KERNELS } from './prebuilt.ts';
export { describeDeployedKernel } from './ask.ts';
