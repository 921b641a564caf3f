// The Redis a run against a local OpenWhisk needs: the one the deployed actions are configured with.
import type openwhisk from 'openwhisk';
import { DEFAULT_REDIS_URL, HOW_TO_GET_REDIS, findOnPath, pingRedis, startRedisServer, type RedisHandle } from '../host/local/redis-server.ts';
import { isPortFree } from '../host/local/free-port.ts';
import { describeOwError, statusCodeOf } from '../pipeline/openwhisk/ow-error.ts';

/** The `redisUrl` default parameter of a deployed action, or undefined when it has none. */
export async function deployedRedisUrl(client: openwhisk.Client, action: string): Promise<string | undefined> {
  let desc: openwhisk.Action;
  try {
    desc = await client.actions.get({ name: action, code: false } as { name: string });
  } catch (err) {
    if (statusCodeOf(err) === 404) throw new Error(`action ${action} is not deployed; run \`supercompute deploy\` first`);
    throw new Error(`reading action ${action}: ${describeOwError(err)}`, { cause: err });
  }
  const param = desc.parameters?.find((p) => p.key === 'redisUrl');
  return typeof param?.value === 'string' && param.value !== '' ? param.value : undefined;
}

function loopbackPort(url: string): number | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:' || !['127.0.0.1', 'localhost'].includes(u.hostname) || u.password !== '') return undefined;
    return Number(u.port || 6379);
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the Redis at `url` answers. The actions were deployed with that URL, so when nothing answers on its
 * loopback port and redis-server is installed, a private one is started on exactly that port for the run.
 */
export async function redisForRun(url: string = DEFAULT_REDIS_URL): Promise<RedisHandle> {
  if (await pingRedis(url)) return { url, started: false, stop: async () => {} };
  const port = loopbackPort(url);
  const binary = findOnPath('redis-server');
  if (port === undefined || !binary || !(await isPortFree(port))) {
    throw new Error(
      `No Redis answers at ${url}, the redisUrl the actions were deployed with. ${HOW_TO_GET_REDIS} ` +
        'Then deploy again with `supercompute deploy --param redisUrl=URL` if the URL changed.',
    );
  }
  return startRedisServer(binary, port);
}
