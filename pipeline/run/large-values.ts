// Partials and results larger than the job's `inlineResultBytes` go to the object store (its `resultsBucket`, under
// `jobs/JOBID/`) when the action has one configured (AWS_* parameters); the job store then holds a reference
// (pipeline/data/value-ref.ts). Without an object store every value stays inline, as before. The one place that
// decides, writes and reads such values.
import { randomBytes } from 'node:crypto';
import { encodeStoredRef, storedRefOf, type ResultRef } from '../data/value-ref.ts';
import { valueStoreFor, ValueStoreError, type ValueStore } from '../data/value-store.ts';
import { pngOf } from '../views/png.ts';
import { boundedMap } from '../dispatch/pool.ts';

/** What a job's spec says about where its large values go. */
export interface LargeValueSettings {
  inlineResultBytes: number;
  resultsBucket: string;
}

/** Reads of partials in flight at once while a reduce gathers them. */
const READS_IN_FLIGHT = 8;

function jobObjectPrefix(jobId: string): string {
  return `jobs/${jobId}/`;
}

function storeFor(actionParams: Record<string, unknown>, settings: LargeValueSettings, bytes: number): ValueStore | undefined {
  // A job created before these settings existed reads 0 and '' from its meta: everything inline.
  if (settings.resultsBucket === '' || settings.inlineResultBytes <= 0 || bytes <= settings.inlineResultBytes) return undefined;
  return valueStoreFor(actionParams);
}

/** What the job store keeps for a task's partial: the JSON itself, or a reference to it in the object store. */
export async function partialToKeep(actionParams: Record<string, unknown>, settings: LargeValueSettings, jobId: string, index: number, partialJson: string): Promise<string> {
  const bytes = Buffer.from(partialJson);
  const store = storeFor(actionParams, settings, bytes.length);
  if (!store) return partialJson;
  // One object per attempt: a retried or speculative copy never overwrites the partial that counted.
  const key = `${jobObjectPrefix(jobId)}partials/${index}.${randomBytes(6).toString('hex')}.json`;
  return encodeStoredRef(await store.put(settings.resultsBucket, key, bytes, 'application/json'));
}

/** The partials as the kernel's reduce takes them, references read back from the object store. */
export async function partialValues(actionParams: Record<string, unknown>, partials: Array<{ index: number; partial: string }>): Promise<unknown[]> {
  const values: unknown[] = new Array(partials.length);
  const { errors } = await boundedMap(partials.map((p, i) => ({ ...p, i })), READS_IN_FLIGHT, async ({ index, partial, i }) => {
    const ref = storedRefOf(partial);
    if (!ref) {
      values[i] = JSON.parse(partial);
      return;
    }
    const store = valueStoreFor(actionParams);
    if (!store) throw new ValueStoreError(`task ${index}'s partial is in the object store (${ref.$ref}), but this action has no object store configured (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID)`);
    try {
      values[i] = JSON.parse((await store.get(ref)).toString('utf8'));
    } catch (err) {
      throw new ValueStoreError(`task ${index}'s partial: ${(err as Error).message}`);
    }
  });
  if (errors.length > 0) throw errors[0];
  return values;
}

/** What the job store keeps for the result: its JSON, or a reference to it (and to its image, if it has one). */
export async function resultToKeep(actionParams: Record<string, unknown>, settings: LargeValueSettings, jobId: string, result: unknown, resultJson: string): Promise<string> {
  const bytes = Buffer.from(resultJson);
  const store = storeFor(actionParams, settings, bytes.length);
  if (!store) return resultJson;
  const prefix = jobObjectPrefix(jobId);
  const png = pngOf(result);
  const image = png === undefined ? undefined : await store.put(settings.resultsBucket, `${prefix}result.png`, Buffer.from(png, 'base64'), 'image/png');
  const ref: ResultRef = await store.put(settings.resultsBucket, `${prefix}result.json`, bytes, 'application/json');
  if (image) ref.image = image;
  return encodeStoredRef(ref);
}
