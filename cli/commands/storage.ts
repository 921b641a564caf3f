// `supercompute storage`: a local S3-compatible server (s3rver) to try jobs on your own data, until SIGINT or SIGTERM.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { untilSignal } from '../embedded.ts';
import { collect, UsageError } from '../params.ts';
import { defaultS3Directory, startS3Server } from '../../host/local/s3-server.ts';

interface StorageFlags {
  host: string;
  port: string;
  dir?: string;
  bucket: string[];
  json?: boolean;
}

export function registerStorage(program: Command): void {
  program
    .command('storage')
    .description('start a local S3-compatible server (s3rver) and keep it running until Ctrl-C')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '9000')
    .option('--dir <folder>', 'where the objects are kept (default: ~/.cache/supercompute/s3, or $XDG_CACHE_HOME/supercompute/s3)')
    .option('-b, --bucket <name>', 'create this bucket at the start (repeatable)', collect, [])
    .option('--json', 'print the connection details as one JSON line')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.opts<StorageFlags>();
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new UsageError(`--port must be a port number, got ${JSON.stringify(flags.port)}`);
      const fallback = defaultS3Directory();
      const directory = flags.dir !== undefined ? resolve(flags.dir) : fallback.directory;
      const server = await startS3Server({ host: flags.host, port, directory, buckets: flags.bucket });
      try {
        if (flags.json) {
          console.log(JSON.stringify({ url: server.url, directory, env: server.env }));
        } else {
          console.log(`supercompute storage (s3rver) listening on ${server.url}`);
          console.log(`  data in ${directory}${flags.dir === undefined ? ` (the default: ${fallback.why})` : ''}`);
          console.log('  to use it with the AWS CLI, an AWS SDK or supercompute:');
          console.log(`  export ${Object.entries(server.env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
          console.log('Press Ctrl-C to stop.');
        }
        const signal = await untilSignal();
        console.error(`${signal}: stopping`);
      } finally {
        await server.stop();
      }
    });
}
