// `supercompute status JOBID`: one look at a job.
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { JobClient } from '../../host/jobs/client.ts';
import { formatResult, formatTimings } from '../report.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show a job's state, progress, and its result and timings once done")
    .argument('<jobId>', 'the id `supercompute run` printed')
    .option('--json', 'print the status as JSON')
    .action(async (jobId: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<TargetFlags & { json?: boolean }>();
      const status = await new JobClient(createClient(resolveTarget(flags))).status(jobId);
      if (flags.json) {
        console.log(JSON.stringify(status));
      } else {
        console.log(`job ${status.jobId}: ${status.state}, ${status.done}/${status.total} tasks done`);
        if (status.state === 'failed') console.log(`error: ${typeof status.error === 'string' ? status.error : JSON.stringify(status.error)}`);
        if (status.result !== undefined) console.log(`result:${formatResult(status.result)}`);
        const timings = formatTimings(status.timings);
        if (timings.length > 0) console.log(['timings:', ...timings].join('\n'));
      }
      process.exitCode = status.state === 'failed' ? 1 : 0;
    });
}
