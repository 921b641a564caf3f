// A leaf, so that code which only answers errors (pipeline/openwhisk/http.ts, and through it the CLI's early job check) does not
// load the Redis client.

/** Redis could not be reached or answered with an error: the entry action answers 503. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
