// A done job's result on the host, wherever it is kept: inline in its status, or in the object store (`resultRef`),
// read with this machine's AWS settings (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION).
import type { JobStatus } from '../../pipeline/job/status.ts';
import type { ValueRef } from '../../pipeline/data/value-ref.ts';
import { valueStoreFor } from '../../pipeline/data/value-store.ts';
import { pngOf } from '../../pipeline/views/png.ts';

async function read(status: JobStatus, ref: ValueRef, settings: Record<string, unknown>): Promise<Buffer> {
  const store = valueStoreFor(settings);
  if (!store) {
    throw new Error(`job ${status.jobId}'s result is in the object store (${ref.$ref}), but no object store is configured here: set AWS_ENDPOINT_URL and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as the deployment has them`);
  }
  return store.get(ref);
}

/** The result's value: the status's `result`, or the stored result read back. */
export async function resultValue(status: JobStatus, settings: Record<string, unknown> = process.env): Promise<unknown> {
  if (!status.resultRef) return status.result;
  return JSON.parse((await read(status, status.resultRef, settings)).toString('utf8'));
}

/** The result's image as PNG bytes, or undefined when the result is not an image. */
export async function resultImage(status: JobStatus, settings: Record<string, unknown> = process.env): Promise<Buffer | undefined> {
  const image = status.resultRef?.image;
  if (image) return read(status, image, settings);
  const png = pngOf(status.resultRef ? await resultValue(status, settings) : status.result);
  return png === undefined ? undefined : Buffer.from(png, 'base64');
}
