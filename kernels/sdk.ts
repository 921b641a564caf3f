// What a kernel module imports from `supercompute` (kernel bundles resolve the name here): the kernel contract.
export { defineKernel } from './define.ts';
export { KernelInputError } from './types.ts';
export type { DataInputs, JobEstimate, JobShape, Kernel, PartFormat, PartitionRef, Row, Rows, TaskRef, WholeInput } from './types.ts';
export type { TaskInput, ObjectSlice } from '../pipeline/data/objects.ts';
export { ByteKeys, hashByte } from './byte-keys.ts';
export type { RecordBatch } from '../pipeline/data/record-batch.ts';
