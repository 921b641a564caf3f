// A value kept in the object store instead of the job store: a task's partial or a job's result too large to hold
// inline (the job's `inlineResultBytes`). Redis then holds a reference in its place, marked so that no JSON value can
// be taken for one (JSON never starts with `@`); the `status` action answers it as `resultRef`.

/** Where a stored value is, and what to expect when reading it back. */
export interface ValueRef {
  /** `s3://BUCKET/KEY` */
  $ref: string;
  /** Its length in bytes. */
  bytes: number;
  /** `application/json` for a partial or a result; `image/png` for a result's image. */
  contentType: string;
  /** sha256 of its bytes, hex: a read that gets other bytes fails. */
  sha256: string;
}

/** A job's result held in the object store: the result as JSON and, for an image result, the image as a PNG object. */
export interface ResultRef extends ValueRef {
  image?: ValueRef;
}

const MARK = '@ref ';

/** What the job store holds in place of a stored value. */
export function encodeStoredRef(ref: ValueRef): string {
  return MARK + JSON.stringify(ref);
}

/** The reference in a job store value, or undefined when the value is inline JSON. */
export function storedRefOf<T extends ValueRef = ValueRef>(raw: string): T | undefined {
  return raw.startsWith(MARK) ? (JSON.parse(raw.slice(MARK.length)) as T) : undefined;
}

/** The bucket and key of `s3://BUCKET/KEY`. */
export function refLocation(ref: ValueRef): { bucket: string; key: string } {
  const rest = ref.$ref.slice('s3://'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw new Error(`malformed object reference ${ref.$ref}`);
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}
