// `supercompute run KERNEL --param k=v [--tasks N] [--workers W] [--input URL… [--chunk-size SIZE]]`: one job, with progress, result and timings. Without
// both counts the job is planned for the target (cli/size-run.ts) and the plan printed before it runs.
import { askedMode } from '../../pipeline/job/mode.ts';
import type { Command } from 'commander';
import { createClient, isLocalTarget, resolveTarget, type TargetFlags } from '../target.ts';
import { collect, nonNegativeInt, nonNegativeNumber, parseParams, positiveInt, UsageError } from '../params.ts';
import { sizeRun } from '../size-run.ts';
import { describePlan } from '../../pipeline/sizing/decide.ts';
import { checkRequest, reportJob, runJob } from '../run-job.ts';
import { deployedRedisUrl, redisForRun } from '../redis.ts';
import { dashboardUrl } from '../dashboard-url.ts';
import { Supercompute } from '../../host/library/client.ts';
import { resultFileOf } from '../out-file.ts';
import { writeResultFile } from '../result-file.ts';
import { beforeDeadline } from '../../host/target/api-deadline.ts';

interface RunFlags extends TargetFlags {
  param: string[];
  input: string[];
  chunkSize?: string;
  format?: string;
  params?: string;
  tasks?: string;
  mode?: string;
  workers?: string;
  slots?: string;
  json?: boolean;
  waitTimeout?: string;
  stallTimeout?: string;
  poll: string;
  progress: boolean;
  checkRedis: boolean;
  out?: string;
  partitionBy?: string;
  sortBy?: string;
  reducers?: string;
  output?: string;
  outputFormat?: string;
  overwrite?: boolean;
}

/** `kernelHelp`: the kernels and their parameters, shown by `run --help` (built only when help is asked for). */
export function registerRun(program: Command, kernelHelp?: string): void {
  program
    .command('run')
    .description('run a job: invoke `supercompute`, show progress until it is done, print result and timings')
    .argument('<kernel>', 'kernel name: pi, primes, mandelbrot, wordcount, sleep, ... (`run KERNEL --help` shows its parameters)')
    .option('-p, --param <key=value>', 'kernel parameter (repeatable); values parse as JSON when they can, e.g. below=1e9', collect, [])
    .option('--params <json>', 'kernel parameters as one JSON object (--param entries win)')
    .option('-t, --tasks <n>', 'number of tasks to split the job into (default: planned from the kernel and the target)')
    .option('--mode <mode>', 'pull (workers claim the tasks from a queue) or push (one activation per task); default: planned')
    .option('--workers <n>', 'pull workers claiming the tasks from a queue (default: planned); 0 = --mode push')
    .option('-i, --input <url>', 'run over data: s3://BUCKET/KEY, s3://BUCKET/PREFIX/ or an http(s) URL (repeatable); each task reads the lines of its piece', collect, [])
    .option('--chunk-size <size>', 'with --input: bytes per task, e.g. 64MiB (the default), 1GB, 500000; or give --tasks instead')
    .option('--partition-by <column>', 'with --input: a shuffle job; every row goes, by this column\'s value, to one of --reducers reduce tasks')
    .option('--sort-by <columns>', 'with --input: a sort; rows range-partitioned by these columns ("key", "key DESC", "a, b DESC") to --reducers reduce tasks, each part sorted, part-00000… in order')
    .option('--reducers <n>', 'with --partition-by or --sort-by: reduce tasks, one part of the output dataset each (default 1)')
    .option('--output <s3://BUCKET/PREFIX/>', 'with --partition-by: where the dataset goes (its parts, then _manifest.json)')
    .option('--output-format <format>', 'with --partition-by: parquet (the default where the kernel writes it), csv or jsonl')
    .option('--overwrite', 'with --output: replace a dataset already there')
    .option('--format <format>', 'with --input: csv or parquet, for kernels that read either (sql; default: parquet for names ending in .parquet); the same as -p format=…')
    .option('--slots <n>', 'workers the target computes at once, for the plan (default: cores here, or the target\'s concurrent invocations)')
    .option('--json', 'print the final status as one JSON object on stdout, no progress bar')
    .option('--wait-timeout <seconds>', 'stop waiting after this long (exit code 2); 0 = no limit')
    .option('--stall-timeout <seconds>', 'stop waiting when the job shows no progress for this long (exit code 2); 0 = never', '0')
    .option('--poll <ms>', 'time between status polls', '500')
    .option('--no-progress', 'no progress bar')
    .option('-o, --out <file>', 'write the result to FILE.json, or the image to FILE.png for image kernels (mandelbrot); checked before the job starts')
    .option('--no-check-redis', 'do not check (or start) the Redis of a local OpenWhisk')
    .addHelpText(
      'after',
      [
        '',
        'A status poll that fails (throttled, the API host or Redis away, a lost activation) is retried with backoff;',
        'only the job\'s end, --wait-timeout or --stall-timeout ends the wait (or polls failing for 10 minutes in a row).',
        '--wait-timeout bounds the whole command: planning and the submit as well as the wait.',
        '',
        'Exit codes:',
        '  0    the job is done',
        '  1    the job failed (or was refused)',
        '  2    still running when the wait stopped (--wait-timeout, --stall-timeout)',
        '  3    the job\'s status could not be read: its latest polls failed; the job may still be running',
        '       (or the API host did not answer the submit in time: the job may have started)',
        '  4    the job was cancelled (`supercompute cancel`)',
        '  130  interrupted',
        ...(kernelHelp ? [kernelHelp] : []),
      ].join('\n'),
    )
    .action(async (kernel: string, _opts: unknown, cmd: Command) => {
      process.exitCode = await run(kernel, cmd.optsWithGlobals<RunFlags>());
    });
}

async function run(kernel: string, flags: RunFlags): Promise<number> {
  const params = parseParams(flags.param, flags.params);
  const mode = askedMode(flags.mode, nonNegativeInt('--workers', flags.workers));
  if ('error' in mode) throw new UsageError(mode.error.replace("'mode'", '--mode').replace("'workers'", '--workers'));
  const asked = { tasks: positiveInt('--tasks', flags.tasks), ...mode, slots: positiveInt('--slots', flags.slots) };
  const pollMs = positiveInt('--poll', flags.poll)!;
  const waitTimeoutMs = (nonNegativeNumber('--wait-timeout', flags.waitTimeout) ?? 0) * 1000;
  // --wait-timeout bounds the whole command: planning, the Redis check and the submit as well as the wait.
  const deadline = waitTimeoutMs > 0 ? Date.now() + waitTimeoutMs : undefined;
  const stallMs = (nonNegativeNumber('--stall-timeout', flags.stallTimeout) ?? 0) * 1000;
  if (flags.chunkSize !== undefined && flags.input.length === 0) throw new UsageError('--chunk-size needs --input');
  if (flags.chunkSize !== undefined && asked.tasks !== undefined) throw new UsageError('give --chunk-size or --tasks, not both');
  const input = flags.input.length === 0 ? undefined : flags.input.length === 1 ? flags.input[0] : flags.input;
  const shuffle = {
    ...(flags.partitionBy !== undefined ? { partitionBy: flags.partitionBy } : {}),
    ...(flags.sortBy !== undefined ? { sortBy: flags.sortBy } : {}),
    ...(flags.reducers !== undefined ? { reducers: positiveInt('--reducers', flags.reducers) } : {}),
    ...(flags.output !== undefined ? { output: flags.output } : {}),
    ...(flags.outputFormat !== undefined ? { outputFormat: flags.outputFormat as 'parquet' | 'csv' | 'jsonl' } : {}),
    ...(flags.overwrite ? { overwrite: true } : {}),
  };
  if (Object.keys(shuffle).length > 0 && (input === undefined || (flags.partitionBy === undefined && flags.sortBy === undefined))) throw new UsageError('--partition-by, --sort-by, --reducers, --output, --output-format and --overwrite need --input and --partition-by or --sort-by');
  if (flags.partitionBy !== undefined && flags.sortBy !== undefined) throw new UsageError('give --partition-by or --sort-by, not both');
  if (flags.format !== undefined) {
    if (input === undefined) throw new UsageError('--format needs --input');
    if (flags.format !== 'csv' && flags.format !== 'parquet') throw new UsageError(`--format is csv or parquet, got ${JSON.stringify(flags.format)}`);
    if (params.format !== undefined && params.format !== flags.format) throw new UsageError('--format and -p format= disagree');
    params.format = flags.format;
  }

  // What can be checked here is checked before anything is asked of the target; the kernel's own checks follow.
  await checkRequest(kernel, params, asked);
  if (flags.out !== undefined) resultFileOf(flags.out, kernel, undefined);
  const target = resolveTarget(flags);
  const client = createClient(target, { deadline });
  const bounded = <T>(work: Promise<T>, what: string): Promise<T> => beforeDeadline(work, deadline, target.apihost, `--wait-timeout ${flags.waitTimeout} s: ${what}`);
  // With an input only the deployment sees its objects: it cuts the job into tasks, plans the workers and checks the
  // rest, so nothing is planned or validated here.
  const plan = input === undefined ? await bounded(sizeRun(kernel, params, asked, target, client), 'planning the job') : undefined;
  const out = flags.out === undefined ? undefined : resultFileOf(flags.out, kernel, plan?.profile.producesPng ?? false);
  const tasks = plan ? plan.tasks : asked.tasks;
  const runMode = plan ? plan.mode : asked.mode;
  const workers = plan ? (plan.mode === 'pull' ? plan.workers : undefined) : asked.workers;
  if (plan && !flags.json) console.error(`plan: ${describePlan(plan)}\n  why: ${plan.why.join('; ')}`);
  // Only for an OpenWhisk on this machine can we tell whether the actions' Redis is up (and start one).
  const redis = flags.checkRedis && isLocalTarget(target) ? await redisForRun(await bounded(deployedRedisUrl(client, 'supercompute'), 'reading the deployed Redis URL')) : undefined;
  if (redis?.started && !flags.json) console.error(`started a private redis-server at ${redis.url} for this run`);
  try {
    const dashboard = (jobId: string) => dashboardUrl(client, target, jobId);
    const sizing = plan ? (({ profile: _profile, ...rest }) => rest)(plan) : undefined;
    const options = {
      kernel, params, tasks, mode: runMode, workers, ...(sizing ? { plan: sizing } : {}), ...(input !== undefined ? { input, chunkSize: flags.chunkSize, ...shuffle } : {}),
      json: flags.json === true, progress: flags.progress, pollMs, waitTimeoutMs, deadline, stallMs, dashboard, ...(out ? { out: out.file } : {}),
    };
    const outcome = await runJob(new Supercompute({ ...target, deadline }), options);
    const code = reportJob(options, outcome);
    if (out && outcome.status.state === 'done') await writeResultFile(out.file, out.format, outcome.status);
    return code;
  } finally {
    await redis?.stop();
  }
}
