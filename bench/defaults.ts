// What a user gets: every figure here runs on the shipped manifest.yaml and the embedded platform's defaults, sized the
// way `supercompute run` sizes a job (its plan, or the flags a user is told about: --tasks, --workers). Compared in one
// run, alternating, medians of the job's own timings:
//  - primes below 1e10 with no sizing flags vs --workers 1, and -t 2 vs -t 1, beside primesieve -t2 vs -t1 (the
//    serial sieve beside primesieve -t1 is the `kernels` benchmark);
//  - 64 unequal tasks (Mandelbrot bands: rows through the set cost far more) in pull mode vs push mode;
//  - 10,000 × 1 s sleep and 10,000 no-op tasks, pull mode vs one activation per task, and the per-task overhead;
//  - the plan chosen for primes below 1e9, 1e11 (and 1e12 in a full run) beside hand-picked sizings.
import { ensureRedis, findOnPath } from '../host/local/redis-server.ts';
import { sizeRun, type AskedSizing } from '../cli/size-run.ts';
import type { Target } from '../cli/target.ts';
import type { JobStatus } from '../pipeline/job/status.ts';
import type { SizingPlan } from '../pipeline/sizing/decide.ts';
import { primesieveSeconds } from './kernels.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';

const log = (line: string) => console.error(`  defaults: ${line}`);

export interface SizedRun {
  label: string;
  tasks: number;
  workers: number;
  /** Job start → result stored, ms, one per repetition. */
  elapsedMs: number[];
  medianMs: number;
  /** Activations the job cost: entry, split, workers or tasks, supervisor, reduce. */
  activations: number;
}

interface Job {
  kernel: string;
  params: Record<string, unknown>;
  asked: AskedSizing;
  label: string;
}

class Runner {
  readonly plans = new Map<string, SizingPlan>();
  constructor(private readonly pipe: BenchPipeline) {}

  private target(): Target {
    const { apiHost, auth } = this.pipe.platform;
    return { apihost: apiHost, auth, namespace: '_', insecure: false, sources: { apihost: 'flag', auth: 'flag', namespace: 'default' } };
  }

  /** The tasks and workers `supercompute run` would submit for this job. */
  async plan(job: Job): Promise<SizingPlan> {
    const key = JSON.stringify([job.kernel, job.params, job.asked]);
    let plan = this.plans.get(key);
    if (!plan) {
      plan = await sizeRun(job.kernel, job.params, job.asked, this.target(), this.pipe.client);
      this.plans.set(key, plan);
    }
    return plan;
  }

  async once(job: Job): Promise<{ status: JobStatus; plan: SizingPlan; activations: number }> {
    const plan = await this.plan(job);
    const since = Date.now();
    const { jobId } = await this.pipe.jobs.submit({ kernel: job.kernel, params: job.params, tasks: plan.tasks, mode: plan.mode, ...(plan.mode === 'pull' ? { workers: plan.workers } : {}) });
    const status = await this.pipe.jobs.wait(jobId, {});
    if (status.state !== 'done') throw new Error(`${job.label}: job ${jobId} ended ${status.state}: ${String(status.error ?? '')}`);
    const counts = await Promise.all(['supercompute', 'split', 'coordinate', (plan.mode === 'pull' ? this.pipe.kernelAction : this.pipe.pushAction)[job.kernel]!, 'supervisor', 'reduce'].map((n) => this.pipe.countActivations(n, since)));
    return { status, plan, activations: counts.reduce((a, b) => a + b, 0) };
  }

  /**
   * Each job `reps` times, the jobs alternating so that a busy moment of the machine hits all of them alike;
   * `afterRound` runs after each round (a baseline measured between them).
   */
  async alternate(jobs: Job[], reps: number, afterRound?: () => void): Promise<SizedRun[]> {
    const runs: SizedRun[] = [];
    for (const job of jobs) {
      const plan = await this.plan(job);
      runs.push({ label: job.label, tasks: plan.tasks, workers: plan.workers, elapsedMs: [], medianMs: NaN, activations: 0 });
    }
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < jobs.length; i++) {
        const { status, activations } = await this.once(jobs[i]);
        const ms = status.timings?.elapsedMs ?? NaN;
        runs[i].elapsedMs.push(ms);
        runs[i].activations = activations;
        log(`${jobs[i].label}: ${ms} ms`);
      }
      afterRound?.();
    }
    for (const run of runs) run.medianMs = median(run.elapsedMs);
    return runs;
  }
}

/** primesieve's own time with `threads` threads; it is on PATH (checked before). */
function primesieveTime(below: number, threads: number): number {
  const s = primesieveSeconds(below, threads);
  if (s === null) throw new Error(`primesieve -t${threads} failed`);
  return s;
}

export interface DefaultsBenchResult {
  machine: string;
  quick: boolean;
  primes: {
    below: number;
    runs: SizedRun[];
    primesieve: { t1: number[]; t2: number[] } | null;
    /** no flags over --workers 1, and -t 2 over -t 1. */
    speedupNoFlags: number;
    speedupT2: number;
    primesieveSpeedup: number | null;
  };
  unequal: { runs: SizedRun[]; pullOverPush: number };
  tasks: { runs: SizedRun[]; perTaskMs: { pull: number; push: number } };
  plans: Array<{ below: number; plan: SizingPlan; runs: SizedRun[] }>;
}

const primesJob = (below: number, asked: AskedSizing, label: string): Job => ({ kernel: 'primes', params: { below }, asked, label });

async function primesScaling(run: Runner, below: number, reps: number): Promise<DefaultsBenchResult['primes']> {
  const hasPrimesieve = findOnPath('primesieve') !== null;
  const jobs = [
    primesJob(below, {}, 'no sizing flags'),
    primesJob(below, { workers: 1 }, '--workers 1'),
    primesJob(below, { tasks: 2 }, '-t 2'),
    primesJob(below, { tasks: 1 }, '-t 1'),
  ];
  const t1: number[] = [];
  const t2: number[] = [];
  // primesieve runs between the rounds, so both sides see the same machine.
  const runs = await run.alternate(jobs, reps, () => {
    if (!hasPrimesieve) return;
    t1.push(primesieveTime(below, 1));
    t2.push(primesieveTime(below, 2));
  });
  return {
    below,
    runs,
    primesieve: hasPrimesieve ? { t1, t2 } : null,
    speedupNoFlags: runs[1].medianMs / runs[0].medianMs,
    speedupT2: runs[3].medianMs / runs[2].medianMs,
    primesieveSpeedup: hasPrimesieve ? median(t1) / median(t2) : null,
  };
}

async function unequalTasks(run: Runner, reps: number, quick: boolean): Promise<DefaultsBenchResult['unequal']> {
  // The default view's bands through the set iterate up to maxIter per pixel; bands outside it escape at once.
  const params = quick ? { width: 1024, height: 768, maxIter: 2000 } : { width: 2048, height: 1536, maxIter: 5000 };
  const runs = await run.alternate(
    [
      { kernel: 'mandelbrot', params, asked: { tasks: 64 }, label: 'pull (-t 64)' },
      { kernel: 'mandelbrot', params, asked: { tasks: 64, mode: 'push' }, label: 'push (-t 64 --mode push)' },
    ],
    reps,
  );
  return { runs, pullOverPush: runs[1].medianMs / runs[0].medianMs };
}

async function manyTasks(run: Runner, reps: number, quick: boolean): Promise<DefaultsBenchResult['tasks']> {
  const n = quick ? 2000 : 10_000;
  const small = n / 10;
  const sleep = (ms: number, tasks: number, workers?: number): Job => ({
    kernel: 'sleep',
    params: { ms },
    asked: workers === undefined ? { tasks } : { tasks, workers },
    label: `${tasks.toLocaleString('en-US')} × ${ms === 0 ? 'no-op' : `${ms} ms sleep`}, ${workers === 0 ? 'push' : 'pull'}`,
  });
  // Every worker container a job of n tasks starts, warm first (the primes jobs warmed two).
  await run.once(sleep(0, n));
  // Pull jobs first: a push job of thousands of tasks leaves the pool full of idle `work` containers, which the next
  // job's cold starts must evict; a user's pull job does not meet them.
  const pull = await run.alternate([sleep(1000, n), sleep(0, n), sleep(0, small)], reps);
  const push = await run.alternate([sleep(1000, n, 0), sleep(0, n, 0), sleep(0, small, 0)], 1);
  const runs = [pull[0], push[0], pull[1], push[1], pull[2], push[2]];
  // The marginal cost of a task: the no-op job's time over the extra tasks, fixed costs (entry, split, reduce) cancelled.
  const perTask = (big: SizedRun, little: SizedRun) => (big.medianMs - little.medianMs) / (n - small);
  return { runs, perTaskMs: { pull: perTask(runs[2], runs[4]), push: perTask(runs[3], runs[5]) } };
}

async function plansBeside(run: Runner, belows: number[], reps: number): Promise<DefaultsBenchResult['plans']> {
  const out: DefaultsBenchResult['plans'] = [];
  for (const below of belows) {
    const plan = await run.plan(primesJob(below, {}, 'plan'));
    // A job of minutes gets one hand-picked rival: many small tasks, the usual hand choice.
    const counts = below >= 1e12 ? [64] : [2, 4, 64];
    const hand = counts.filter((t) => t !== plan.tasks).map((t) => primesJob(below, { tasks: t, workers: plan.workers }, `-t ${t} --workers ${plan.workers}`));
    const runs = await run.alternate([primesJob(below, {}, `plan (-t ${plan.tasks} --workers ${plan.workers})`), ...hand], below >= 1e12 ? 1 : reps);
    out.push({ below, plan, runs });
  }
  return out;
}

/** `--plans=1e9,1e11`: the limits whose plan is compared with hand sizings (default 1e9, 1e11 and 1e12; --quick 1e9). */
function planLimits(argv: string[], quick: boolean): number[] {
  const given = argv.find((a) => a.startsWith('--plans='));
  if (!given) return quick ? [1e9] : [1e9, 1e11, 1e12];
  const limits = given.slice('--plans='.length).split(',').map(Number);
  if (limits.some((n) => !Number.isFinite(n) || n < 1e6)) throw new Error(`--plans: limits such as 1e9,1e11, got ${given}`);
  return limits;
}

export async function benchDefaults(opts: { quick: boolean; argv?: string[] }): Promise<DefaultsBenchResult> {
  const quick = opts.quick;
  const limits = planLimits(opts.argv ?? [], quick);
  const reps = quick ? 1 : 3;
  const redis = await ensureRedis();
  const pipe = await startBenchPipeline({ redisUrl: redis.url, platformDefaults: true });
  try {
    const run = new Runner(pipe);
    // Warm the containers a user's second job finds warm; cold starts are the platform benchmark's subject.
    await run.once(primesJob(1e7, {}, 'warm-up'));
    await run.once({ kernel: 'sleep', params: { ms: 0 }, asked: { tasks: 100, workers: 0 }, label: 'warm-up' });
    const below = quick ? 1e9 : 1e10;
    const primes = await primesScaling(run, below, reps);
    const unequal = await unequalTasks(run, reps, quick);
    const plans = await plansBeside(run, limits, quick ? 1 : 2);
    const tasks = await manyTasks(run, quick ? 1 : 3, quick);
    return { machine: machine(), quick, primes, unequal, tasks, plans };
  } finally {
    await pipe.stop();
    await redis.stop();
  }
}

function table(runs: SizedRun[]): string[] {
  return [
    '| sizing | tasks | workers (0: push) | activations | job time, median (s) | runs (s) |',
    '|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.label} | ${r.tasks} | ${r.workers} | ${r.activations} | ${fmt(r.medianMs / 1000, 3)} | ${r.elapsedMs.map((x) => fmt(x / 1000, 2)).join(', ')} |`),
  ];
}

export function defaultsMarkdown(r: DefaultsBenchResult): string {
  const p = r.primes;
  const ps = p.primesieve;
  const share = (x: number) => (p.primesieveSpeedup ? `${fmt(((x - 1) / (p.primesieveSpeedup - 1)) * 100, 0)}% of primesieve's gain` : 'primesieve not on PATH');
  const lines = [
    `### On the defaults a user gets (${r.machine}${r.quick ? ', --quick' : ''})`,
    '',
    'Shipped manifest.yaml, the embedded platform as `supercompute platform` starts it, jobs sized as `supercompute run` sizes them. Job times are the jobs\' own (start → result stored); medians of alternating runs.',
    '',
    `#### primes below ${p.below.toExponential(0)}`,
    '',
    ...table(p.runs),
    '',
    ps
      ? `primesieve in the same run: -t1 ${ps.t1.map((x) => fmt(x, 3)).join(', ')} s; -t2 ${ps.t2.map((x) => fmt(x, 3)).join(', ')} s: **${fmt(p.primesieveSpeedup!)}x**.`
      : 'primesieve not on PATH.',
    '',
    `No flags over --workers 1: **${fmt(p.speedupNoFlags)}x** (${share(p.speedupNoFlags)}). -t 2 over -t 1: **${fmt(p.speedupT2)}x** (${share(p.speedupT2)}).`,
    '',
    '#### 64 unequal tasks (Mandelbrot bands)',
    '',
    ...table(r.unequal.runs),
    '',
    `Pull mode's makespan is **${fmt(r.unequal.pullOverPush)}x** shorter than push mode's.`,
    '',
    '#### Many small tasks',
    '',
    ...table(r.tasks.runs),
    '',
    `Marginal cost of a task (no-op jobs, large minus small, over the extra tasks): pull **${fmt(r.tasks.perTaskMs.pull, 3)} ms**, push ${fmt(r.tasks.perTaskMs.push, 3)} ms.`,
    '',
    '#### The plan beside hand-picked sizings',
    '',
  ];
  for (const x of r.plans) {
    lines.push(`primes below ${x.below.toExponential(0)} — plan: ${x.plan.why.join('; ')}`, '', ...table(x.runs), '');
  }
  return lines.join('\n');
}
