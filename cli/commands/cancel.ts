// `supercompute cancel JOBID`: stops a running job; its outstanding tasks are not started and its state is cleaned up.
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { JobClient } from '../../host/jobs/client.ts';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description('cancel a running job: no further tasks start, the job ends `cancelled` and its data is removed')
    .argument('<jobId>', 'the id `supercompute run` printed')
    .option('--json', 'print the answer as JSON')
    .action(async (jobId: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<TargetFlags & { json?: boolean }>();
      const answer = await new JobClient(createClient(resolveTarget(flags))).cancel(jobId);
      if (flags.json) console.log(JSON.stringify(answer));
      else console.log(`job ${jobId}: ${answer.state}`);
    });
}
