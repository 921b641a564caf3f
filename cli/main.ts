// The `supercompute` command line. Each sub-command lives in its own module under cli/commands/.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { protectJobIds } from './job-id-args.ts';
import { endQuietlyOnClosedPipe, errorLine, exitWhenFlushed, namingHost, NO_ANSWER_EXIT, refusedLine } from './exit.ts';
import { helpTextsFor } from './help-texts.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

endQuietlyOnClosedPipe();
const argv = protectJobIds(process.argv);
const helpTexts = await helpTextsFor(argv.slice(2));

const program = new Command();
program
  .name('supercompute')
  .description('An on-demand supercomputer built out of Apache OpenWhisk.')
  .version(version, '-V, --version', 'print the version')
  .option('--apihost <url>', 'OpenWhisk API host (else __OW_API_HOST, ~/.wskprops or WSK_CONFIG_FILE, else http://127.0.0.1:3233)')
  .option('--auth <uuid:key>', 'OpenWhisk auth key (else __OW_API_KEY, the property file, else the guest key)')
  .option('--namespace <ns>', 'namespace (else __OW_NAMESPACE, the property file, else _)')
  // No short form: `-i` is `run --input`.
  .option('--insecure', 'skip TLS certificate checks')
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError();

// Each command loads its own modules (the platform, the library, the S3 server...): a command line that names one
// loads only that one, so `supercompute status ID` starts in a fraction of the time; help and the rest load all.
type Register = (program: Command) => void;
const commands: Array<[string, () => Promise<Register>]> = [
  ['platform', async () => (await import('./commands/platform.ts')).registerPlatform],
  ['storage', async () => (await import('./commands/storage.ts')).registerStorage],
  ['deploy', async () => (await import('./commands/deploy.ts')).registerDeploy],
  ['run', async () => { const { registerRun } = await import('./commands/run.ts'); return (p) => registerRun(p, helpTexts.kernels); }],
  ['status', async () => (await import('./commands/status.ts')).registerStatus],
  ['cancel', async () => (await import('./commands/cancel.ts')).registerCancel],
  ['kernel', async () => (await import('./commands/kernel.ts')).registerKernel],
  ['plot', async () => (await import('./commands/plot.ts')).registerPlot],
  ['demo', async () => (await import('./commands/demo.ts')).registerDemo],
  ['bench', async () => { const { registerBench } = await import('./commands/bench.ts'); return (p) => registerBench(p, helpTexts.benchmarks); }],
  ['doctor', async () => (await import('./commands/doctor.ts')).registerDoctor],
];
const named = argv.slice(2).find((a) => !a.startsWith('-'));
const only = commands.find(([name]) => name === named && !argv.slice(2, argv.indexOf(named!)).some((a) => a === '--help' || a === '-h'));
const versionOnly = !only && argv.slice(2).some((a) => a === '-V' || a === '--version');
for (const [, load] of only ? [only] : versionOnly ? [] : commands) (await load())(program);

program
  .parseAsync(argv)
  .then(() => exitWhenFlushed(Number(process.exitCode ?? 0)))
  .catch(async (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const { isNoAnswer } = await import('../host/target/api-deadline.ts');
    if (!isNoAnswer(err)) {
      console.error(errorLine(message));
      return exitWhenFlushed(1);
    }
    const { resolveTarget } = await import('./target.ts');
    const { apihost } = resolveTarget(program.opts());
    const { isRefused } = await import('../pipeline/openwhisk/ow.ts');
    // Nothing listens there: one plain sentence, whichever command and request found it.
    const said = isRefused(err) ? refusedLine(apihost) : namingHost(message, apihost);
    console.error(errorLine(said));
    return exitWhenFlushed(NO_ANSWER_EXIT);
  });
