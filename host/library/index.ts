// The `supercompute` package: a typed client for jobs on OpenWhisk, and map over plain functions.
export { Supercompute, LocalSupercompute, type SupercomputeOptions, type RunOptions, type MapOptions, type Call, type SqlOptions, type SqlResult } from './client.ts';
export { Job, JobFailedError, type WaitOptions } from './job.ts';
export type { LocalOptions } from './local.ts';
export { ActionError, JobStatusUnreadableError, WaitGaveUpError } from '../jobs/client.ts';
export type { JobState, JobStatus, RetryCounts, Timings } from '../../pipeline/job/status.ts';
export type { SizingPlan } from '../../pipeline/sizing/decide.ts';
export type { ResultRef, ValueRef } from '../../pipeline/data/value-ref.ts';
export type { Kernel, TaskRef, DataInputs, JobEstimate, JobShape, WholeInput } from '../../kernels/types.ts';
export type { TaskInput, ObjectSlice } from '../../pipeline/data/objects.ts';
export { KernelInputError } from '../../kernels/types.ts';
export { defineKernel } from '../../kernels/define.ts';
export { ByteKeys, hashByte } from '../../kernels/byte-keys.ts';
export type { RecordBatch } from '../../pipeline/data/record-batch.ts';
