// `supercompute demo` (`npm start`): platform, Redis, deploy, and π(10^9) sized by the plan a user gets by default
// (pull workers, one per core), then everything stops.
import type { Command } from 'commander';
import { summarize } from '../deploy-summary.ts';
import { startLocalPipeline } from '../../host/local/start.ts';
import { reportJob, runJob } from '../run-job.ts';
import { Supercompute } from '../../host/library/client.ts';
import { formatNumber } from '../report.ts';
import { sizeRun } from '../size-run.ts';
import { describePlan } from '../../pipeline/sizing/decide.ts';
import { positiveInt } from '../params.ts';

const PI_1E9 = 50_847_534;

/** The count from a primes result, whichever shape the kernel gives it. */
function primeCount(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    for (const key of ['count', 'primes', 'pi', 'value']) if (typeof r[key] === 'number') return r[key] as number;
  }
  return undefined;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the embedded platform, deploy, count the primes below 10^9 as a job sizes itself, stop')
    .option('--tasks <n>', 'tasks (default: planned)')
    .option('--no-progress', 'no progress bar')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.opts<{ tasks?: string; progress: boolean }>();
      const log = (line: string): void => console.error(line);
      const local = await startLocalPipeline({ preferPort: 3233, log: (line) => line !== 'deployed the pipeline' && log(line) });
      try {
        const { target, client } = local;
        log(`deployed ${summarize(local.events)}`);

        const params = { below: 1e9 };
        const plan = await sizeRun('primes', params, { tasks: positiveInt('--tasks', flags.tasks) }, target, client);
        log(`plan: ${describePlan(plan)}\n  why: ${plan.why.join('; ')}`);
        const options = {
          kernel: 'primes',
          params,
          tasks: plan.tasks,
          mode: plan.mode,
          workers: plan.mode === 'pull' ? plan.workers : undefined,
          plan,
          json: false,
          progress: flags.progress,
          pollMs: 250,
          waitTimeoutMs: 0,
          stallMs: 0,
        };
        const outcome = await runJob(new Supercompute(target), options);
        let code = reportJob(options, outcome);
        if (code === 0) {
          const count = primeCount(outcome.status.result);
          if (count === PI_1E9) {
            console.log(`primes below 1,000,000,000: ${formatNumber(count)} (the known value of π(10^9))`);
          } else {
            console.error(`expected π(10^9) = ${formatNumber(PI_1E9)}, got ${JSON.stringify(outcome.status.result)}`);
            code = 1;
          }
        }
        process.exitCode = code;
      } finally {
        await local.close();
      }
    });
}
