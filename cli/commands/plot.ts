// `supercompute plot JOBID [--out DIR]`: the job's timeline, run-time histogram, task stream and figures over time as
// SVG files, drawn by the `status` action from the per-task records kept with the job (host/jobs/plots.ts).
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { writeJobPlots } from '../../host/jobs/plots.ts';

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description("write a job's plots as SVG: task timeline, run-time histogram, task stream, figures over time (JOBID-{timeline,histogram,stream,activity}.svg)")
    .argument('<jobId>', 'the id `supercompute run` printed')
    .option('-o, --out <dir>', 'directory to write to (created if missing)', '.')
    .action(async (jobId: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<TargetFlags & { out: string }>();
      const client = createClient(resolveTarget(flags));
      for (const file of await writeJobPlots(client, jobId, flags.out)) console.log(file);
    });
}
