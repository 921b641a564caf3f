// Writing a done job's result to the file `-o FILE` names (`run`, `status`): JSON, or the image as PNG bytes; the result
// is read from the object store when the job keeps it there (host/jobs/result-value.ts). Written whole or not at all.
import type { JobStatus } from '../pipeline/job/status.ts';
import { resultImage, resultValue } from '../host/jobs/result-value.ts';
import { writeWhole, type ResultFormat } from './out-file.ts';

export async function writeResultFile(file: string, format: ResultFormat, status: JobStatus): Promise<void> {
  if (format === 'png') {
    const png = await resultImage(status);
    if (png === undefined) throw new Error(`the result of job ${status.jobId} is not an image; ${file} not written`);
    writeWhole(file, png);
  } else {
    writeWhole(file, JSON.stringify(await resultValue(status), null, 2) + '\n');
  }
  console.error(`wrote ${file}`);
}

/** The line shown for a result kept in the object store, instead of the result. */
export function storedResultLine(status: JobStatus, saveHint: string): string | undefined {
  const ref = status.resultRef;
  if (!ref) return undefined;
  const image = ref.image ? `, its image ${ref.image.$ref} (${ref.image.bytes} bytes)` : '';
  return `result: in the object store at ${ref.$ref} (${ref.bytes} bytes of JSON${image}); ${saveHint}`;
}
