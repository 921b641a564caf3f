// A job's plots as SVG files (timeline, run-time histogram, task stream, figures over time), drawn by the `status`
// action from the per-task records kept with the job, with the code the dashboard draws with. `supercompute plot` and
// the library's `Job.plot` write them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type openwhisk from 'openwhisk';
import { invokeAction } from './invoke.ts';
import { PLOT_KINDS, type PlotKind } from '../../pipeline/views/job-plots.ts';
import { writeWhole } from './write-whole.ts';

/** Every plot of the job; an unknown job or a failed answer throws. */
export async function readJobPlots(client: openwhisk.Client, jobId: string): Promise<[PlotKind, string][]> {
  const svgs: [PlotKind, string][] = [];
  for (const plot of PLOT_KINDS) {
    const answer = await invokeAction(client, 'status', { jobId, plot });
    if (typeof answer.error === 'string') throw new Error(answer.error);
    if (typeof answer.body !== 'string' || !answer.body.startsWith('<svg')) {
      throw new Error(`status answered no ${plot} SVG: ${JSON.stringify(answer).slice(0, 300)}`);
    }
    svgs.push([plot, answer.body]);
  }
  return svgs;
}

/**
 * Writes `JOBID-timeline.svg`, `JOBID-histogram.svg`, `JOBID-stream.svg` and `JOBID-activity.svg` into `dir` (created
 * if missing) and returns their paths. Every plot is read first: an unknown job or a failed answer creates no directory and no file.
 */
export async function writeJobPlots(client: openwhisk.Client, jobId: string, dir: string): Promise<string[]> {
  const svgs = await readJobPlots(client, jobId);
  mkdirSync(dir, { recursive: true });
  return svgs.map(([plot, svg]) => {
    const file = join(dir, `${jobId}-${plot}.svg`);
    writeWhole(file, svg);
    return file;
  });
}
