// `supercompute status JOBID`: one look at a job.
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { isTransient, JobClient } from '../../host/jobs/client.ts';
import { nonNegativeNumber, UsageError } from '../params.ts';
import { EXIT } from '../run-job.ts';
import { errorLine, namingHost, refusedLine } from '../exit.ts';
import { isRefused } from '../../pipeline/openwhisk/ow.ts';
import { resultFileOf } from '../out-file.ts';
import { storedResultLine, writeResultFile } from '../result-file.ts';

/** How long `status` waits for an answer by default, s: a status activation's time limit and some queueing. */
const DEFAULT_ANSWER_S = 45;
import { formatResult, formatTimings } from '../report.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show a job's state, progress, and its result and timings once done")
    .argument('<jobId>', 'the id `supercompute run` printed')
    .option('--json', 'print the status as JSON')
    .option('-o, --out <file>', "write a done job's result to FILE.json, or its image to FILE.png (read from the object store when it is kept there)")
    .option('--wait-timeout <seconds>', `give up when no answer has come after this long (exit code ${EXIT.statusUnreadable})`, String(DEFAULT_ANSWER_S))
    .addHelpText('after', `\nExit codes: ${EXIT.done} the job is done or running, ${EXIT.failed} failed, ${EXIT.statusUnreadable} no answer in time (the job may be running).`)
    .action(async (jobId: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<TargetFlags & { json?: boolean; waitTimeout: string; out?: string }>();
      const out = flags.out === undefined ? undefined : resultFileOf(flags.out, undefined, undefined);
      const answerMs = (nonNegativeNumber('--wait-timeout', flags.waitTimeout) ?? DEFAULT_ANSWER_S) * 1000;
      if (answerMs === 0) throw new UsageError('--wait-timeout must be more than 0 seconds');
      const target = resolveTarget(flags);
      const jobs = new JobClient(createClient(target));
      let status;
      try {
        status = await jobs.status(jobId, 0, Date.now() + answerMs);
      } catch (err) {
        if (!isTransient(err)) throw err;
        const why = isRefused(err) ? refusedLine(target.apihost) : namingHost((err as Error).message, target.apihost);
        console.error(errorLine(`could not read the status of job ${jobId}: ${why}`));
        process.exitCode = EXIT.statusUnreadable;
        return;
      }
      if (flags.json) {
        console.log(JSON.stringify(status));
      } else {
        console.log(`job ${status.jobId}: ${status.state}, ${status.done}/${status.total} tasks done`);
        if (status.state === 'failed') console.log(`error: ${typeof status.error === 'string' ? status.error : JSON.stringify(status.error)}`);
        const stored = storedResultLine(status, `write it with \`supercompute status ${status.jobId} -o FILE\` (.json, or .png for an image)`);
        if (stored) console.log(stored);
        else if (status.result !== undefined) console.log(`result:${formatResult(status.result, `save it with \`supercompute status ${status.jobId} -o ${status.jobId}.png\``)}`);
        const timings = formatTimings(status.timings);
        if (timings.length > 0) console.log(['timings:', ...timings].join('\n'));
      }
      if (out) {
        if (status.state !== 'done') throw new Error(`job ${status.jobId} is ${status.state}: it has no result; ${flags.out} not written`);
        await writeResultFile(out.file, out.format, status);
      }
      process.exitCode = status.state === 'failed' ? 1 : 0;
    });
}
