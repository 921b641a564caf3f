// Health probe for `supercompute doctor`: whether the deployment's Redis answers from inside an action container,
// where the jobs need it (a Redis the host reaches may be out of the containers' reach). Answers `{ok: true, ms}` or
// `{ok: false, error}`; the error is redacted, so the URL's password never shows.
import { redisUrlOf } from '../pipeline/job/settings.ts';
import { errorMessage, registerEnvSecrets } from '../pipeline/openwhisk/redact.ts';
import { getRedis } from '../pipeline/store/redis.ts';

/** Longer than a failing first connect takes (its timeout and two quick retries), shorter than the action's limit. */
const PROBE_MS = 10_000;

export async function main(params: Record<string, unknown>) {
  registerEnvSecrets(params);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${PROBE_MS} ms`)), PROBE_MS);
  });
  try {
    const pong = await Promise.race([getRedis(redisUrlOf(params)).then((redis) => redis.ping()), late]);
    if (pong !== 'PONG') return { ok: false, error: `Redis answered PING with ${JSON.stringify(pong).slice(0, 100)}` };
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}
