// `supercompute platform`: the embedded OpenWhisk-compatible platform, until SIGINT or SIGTERM.
import type { Command } from 'commander';
import { embeddedClient, startEmbedded, untilSignal } from '../embedded.ts';
import { collect, parseParams, UsageError } from '../params.ts';
import { deployManifest } from '../../host/manifest/deploy-pipeline.ts';
import { summarize } from '../deploy-summary.ts';
import { ensureRedis, type RedisHandle } from '../../host/local/redis-server.ts';

interface PlatformFlags {
  host?: string;
  port?: string;
  deploy?: boolean;
  manifest: string;
  param: string[];
  json?: boolean;
}

export function registerPlatform(program: Command): void {
  program
    .command('platform')
    .description('start the embedded OpenWhisk-compatible platform and keep it running until Ctrl-C')
    .option('--host <address>', 'address to listen on (default: SUPERCOMPUTE_PLATFORM_HOST, else 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 = any free port (default: SUPERCOMPUTE_PLATFORM_PORT, else 3233)')
    .option('--deploy', 'also make sure Redis runs (starting a private one if needed) and deploy the manifest')
    .option('-m, --manifest <file>', 'manifest for --deploy', 'manifest.yaml')
    .option('-p, --param <key=value>', 'default parameter for --deploy (repeatable)', collect, [])
    .option('--json', 'print the connection details as one JSON line')
    .addHelpText(
      'after',
      '\nEvery SUPERCOMPUTE_PLATFORM_* variable of platform/config.ts applies (HOST, PORT, NAMESPACE, AUTH, SYSTEM_AUTH,\n' +
        'DATA_DIR, API_HOST, CONCURRENT_INVOCATIONS, ...); --host and --port win over the environment. With a key of your\n' +
        "own (AUTH) and no SYSTEM_AUTH, the whisk.system key is generated and kept in DATA_DIR's auth.whisk.system.",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.opts<PlatformFlags>();
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!/^\d+$/.test(flags.port!) || port > 65535)) throw new UsageError(`--port must be a port number, got ${JSON.stringify(flags.port)}`);
      const params = parseParams(flags.param);
      const log = (line: string): void => console.error(line);

      const platform = await startEmbedded({ host: flags.host, port });
      let redis: RedisHandle | undefined;
      try {
        if (flags.deploy) {
          redis = await ensureRedis();
          log(redis.started ? `started a private redis-server at ${redis.url}` : `using Redis at ${redis.url}`);
          params.redisUrl ??= redis.url;
          const { events } = await deployManifest(embeddedClient(platform), { manifest: flags.manifest, params, log });
          log(`deployed ${summarize(events)}`);
        }
        if (flags.json) {
          console.log(JSON.stringify({ url: platform.url, apihost: platform.apiHost, auth: platform.auth, namespace: platform.namespace, redisUrl: redis?.url }));
        } else {
          console.log(`supercompute platform listening on ${platform.url}`);
          console.log(`  namespace ${platform.namespace}; to use it with wsk or this CLI:`);
          console.log(`  export __OW_API_HOST=${platform.apiHost} __OW_API_KEY=${platform.auth}`);
          if (platform.systemKeyFile) console.log(`  the whisk.system key (the catalog's namespace) is in ${platform.systemKeyFile}`);
          console.log('Press Ctrl-C to stop.');
        }
        const signal = await untilSignal();
        log(`${signal}: stopping`);
      } finally {
        await platform.stop();
        await redis?.stop();
      }
    });
}
