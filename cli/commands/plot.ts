// `supercompute plot JOBID [--out DIR]`: the job's timeline and run-time histogram as SVG files, drawn by the
// `status` action from the per-task records kept with the job.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { invokeAction } from '../../host/jobs/client.ts';
import { PLOT_KINDS } from '../../pipeline/views/job-plots.ts';
import { writeWhole } from '../out-file.ts';

export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description("write a job's task timeline and run-time histogram as SVG (JOBID-timeline.svg, JOBID-histogram.svg)")
    .argument('<jobId>', 'the id `supercompute run` printed')
    .option('-o, --out <dir>', 'directory to write to (created if missing)', '.')
    .action(async (jobId: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<TargetFlags & { out: string }>();
      const client = createClient(resolveTarget(flags));
      // Both plots first: an unknown job or a failed answer creates no directory and no file.
      const svgs: [string, string][] = [];
      for (const plot of PLOT_KINDS) {
        const answer = await invokeAction(client, 'status', { jobId, plot });
        if (typeof answer.error === 'string') throw new Error(answer.error);
        if (typeof answer.body !== 'string' || !answer.body.startsWith('<svg')) {
          throw new Error(`status answered no ${plot} SVG: ${JSON.stringify(answer).slice(0, 300)}`);
        }
        svgs.push([plot, answer.body]);
      }
      mkdirSync(flags.out, { recursive: true });
      for (const [plot, svg] of svgs) {
        const file = join(flags.out, `${jobId}-${plot}.svg`);
        writeWhole(file, svg);
        console.log(file);
      }
    });
}
