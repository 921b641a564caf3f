// Reading a (ranged) response body: exactly the bytes asked for, whatever more the server sends (some S3-compatible
// servers answer `bytes=0-0` with the whole object), and the parts of a Content-Range header.

/** `bytes START-END/TOTAL` → START. */
export function contentRangeStart(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

/** `bytes START-END/TOTAL` (also when the range is `*`) → TOTAL. */
export function contentRangeTotal(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /\/(\d+)$/.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

/**
 * The body's bytes, cut at `length` (all of them when undefined); a stream error becomes `wrap(err)`. The caller
 * closes the body.
 */
export async function* checkedBytes(body: AsyncIterable<Uint8Array>, length: number | undefined, wrap: (err: unknown) => Error): AsyncGenerator<Uint8Array> {
  let left = length ?? Infinity;
  try {
    for await (const chunk of body) {
      if (chunk.length > left) {
        if (left > 0) yield chunk.subarray(0, left);
        return;
      }
      left -= chunk.length;
      // The body's end is awaited rather than cut short, so that its connection can serve the next request.
      yield chunk;
    }
  } catch (err) {
    throw wrap(err);
  }
  if (left !== Infinity && left > 0) throw wrap(new Error(`the body ended ${left} bytes short`));
}
