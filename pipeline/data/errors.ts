// What can go wrong with a job's own data, in two kinds: a request that names its data badly (the job is refused,
// 400), and data that cannot be read when a task runs (the task fails with a message naming the object and the cause).
import { KernelInputError } from '../../kernels/types.ts';

/** The job's data input or its partitioning is malformed, names nothing, or names only empty objects. */
export class InputSpecError extends KernelInputError {}

/** An object cannot be listed or read; the message starts with the object (`s3://b/k`, or the URL) and says why. */
export class DataReadError extends Error {
  override readonly name: string = 'DataReadError';
  constructor(
    readonly object: string,
    why: string,
  ) {
    super(`${object}: ${why}`);
  }
}

/**
 * The object is no longer the one the job was split on (its ETag or size changed): `detail` says how. Another attempt
 * would read the same changed object, so a task failing with it fails its job at once (`retryable: false`).
 */
export class ObjectChangedError extends DataReadError {
  override readonly name = 'ObjectChangedError';
  readonly retryable = false;
  constructor(object: string, detail: string) {
    super(object, '');
    this.message = `${object} changed since the job was split (${detail})`;
  }

  static etag(object: string, then: string | undefined, now: string | undefined): ObjectChangedError {
    return new ObjectChangedError(object, `ETag ${then ?? 'none'} then, ${now ?? 'none'} now`);
  }
}

/**
 * The data is not line records as the reader reads them (bytes that are not UTF-8 text). Reading it again gives the
 * same, so a task failing with it fails its job at once (`retryable: false`).
 */
export class RecordFormatError extends DataReadError {
  override readonly name: string = 'RecordFormatError';
  readonly retryable = false;
}

/** A record (line) longer than the reader's bound: the data is not line records, or needs a larger bound. */
export class RecordTooLongError extends RecordFormatError {
  override readonly name = 'RecordTooLongError';
}
