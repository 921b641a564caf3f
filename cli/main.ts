// The `supercompute` command line. Each sub-command lives in its own module under cli/commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerPlatform } from './commands/platform.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus } from './commands/status.ts';
import { registerCancel } from './commands/cancel.ts';
import { registerDemo } from './commands/demo.ts';
import { registerBench } from './commands/bench.ts';
import { registerPlot } from './commands/plot.ts';
import { registerStorage } from './commands/storage.ts';
import { registerDoctor } from './commands/doctor.ts';
import { protectJobIds } from './job-id-args.ts';
import { endQuietlyOnClosedPipe, errorLine, exitWhenFlushed } from './exit.ts';
import { helpTextsFor } from './help-texts.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

endQuietlyOnClosedPipe();
const argv = protectJobIds(process.argv);
const helpTexts = await helpTextsFor(argv.slice(2));
import { registerKernel } from './commands/kernel.ts';

const program = new Command();
program
  .name('supercompute')
  .description('An on-demand supercomputer built out of Apache OpenWhisk.')
  .version(version, '-V, --version', 'print the version')
  .option('--apihost <url>', 'OpenWhisk API host (else __OW_API_HOST, ~/.wskprops or WSK_CONFIG_FILE, else http://127.0.0.1:3233)')
  .option('--auth <uuid:key>', 'OpenWhisk auth key (else __OW_API_KEY, the property file, else the guest key)')
  .option('--namespace <ns>', 'namespace (else __OW_NAMESPACE, the property file, else _)')
  .option('-i, --insecure', 'skip TLS certificate checks')
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError();

registerPlatform(program);
registerStorage(program);
registerDeploy(program);
registerRun(program, helpTexts.kernels);
registerStatus(program);
registerCancel(program);
registerKernel(program);
registerPlot(program);
registerDemo(program);
registerBench(program, helpTexts.benchmarks);
registerDoctor(program);

program
  .parseAsync(argv)
  .then(() => exitWhenFlushed(Number(process.exitCode ?? 0)))
  .catch((err: unknown) => {
    console.error(errorLine(err instanceof Error ? err.message : String(err)));
    return exitWhenFlushed(1);
  });
