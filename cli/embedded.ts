// The embedded platform as the CLI runs it, and a client for it.
import openwhisk from 'openwhisk';
import { startPlatform, type Platform } from '../platform/index.ts';
import { isPortFree } from '../host/local/free-port.ts';
import { resolveOptions } from '../platform/config.ts';

export type { Platform };

/**
 * Starts the platform on `host` and `port`, each else from SUPERCOMPUTE_PLATFORM_HOST/_PORT, else the defaults; with
 * `preferPort` (3233) and no port given either way, on a free port when that one is taken.
 */
export async function startEmbedded(options: { host?: string; port?: number; preferPort?: number }): Promise<Platform> {
  const { host } = options;
  let port = options.port;
  if (port === undefined && options.preferPort !== undefined && (process.env.SUPERCOMPUTE_PLATFORM_PORT ?? '').trim() === '') {
    port = (await isPortFree(options.preferPort, host ?? resolveOptions({ port: 0 }).host)) ? options.preferPort : 0;
  }
  // The S3 secret that deploying binds to the actions (manifest.yaml, from the environment) is masked like the key.
  const secrets = [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter((s): s is string => !!s && s.trim() !== '');
  return startPlatform({ host, port, secrets });
}

export function embeddedClient(platform: Platform): openwhisk.Client {
  return openwhisk({ apihost: platform.apiHost, api_key: platform.auth, namespace: platform.namespace });
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
