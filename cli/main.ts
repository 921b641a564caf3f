// The `supercompute` command line. Each sub-command lives in its own module under cli/commands/.
import { Command } from 'commander';
import { registerPlatform } from './commands/platform.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerCancel } from './commands/cancel.ts';
import { registerDemo } from './commands/demo.ts';
import { registerBench } from './commands/bench.ts';
import { registerPlot } from './commands/plot.ts';
import { registerKernel } from './commands/kernel.ts';

const program = new Command();
program
  .name('supercompute')
  .description('An on-demand supercomputer built out of Apache OpenWhisk.')
  .option('--apihost <url>', 'OpenWhisk API host (else __OW_API_HOST, ~/.wskprops or WSK_CONFIG_FILE, else http://127.0.0.1:3233)')
  .option('--auth <uuid:key>', 'OpenWhisk auth key (else __OW_API_KEY, the property file, else the guest key)')
  .option('--namespace <ns>', 'namespace (else __OW_NAMESPACE, the property file, else _)')
  .option('-i, --insecure', 'skip TLS certificate checks')
  .showHelpAfterError();

registerPlatform(program);
registerDeploy(program);
registerRun(program);
registerStatus(program);
registerCancel(program);
registerKernel(program);
registerPlot(program);
registerDemo(program);
registerBench(program);

program
  .parseAsync(process.argv)
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((err: unknown) => {
    console.error(`supercompute: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
