// A task's partial as the store keeps it: JSON, of bounded size. A partial that cannot be stored is the kernel's
// mistake, reported as the task's failure with what is wrong.

/** Larger partials are refused: every partial of a job is read at once by its reduce. */
export const MAX_PARTIAL_BYTES = 8 * 1024 * 1024;

export function partialJsonOf(partial: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(partial ?? null);
  } catch (err) {
    throw new Error(`its partial is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (json === undefined) throw new Error(`its partial is not JSON-serialisable (a ${typeof partial})`);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_PARTIAL_BYTES) throw new Error(`its partial is ${bytes} bytes of JSON, more than the ${MAX_PARTIAL_BYTES} a partial may be`);
  return json;
}
