// A model of end-to-end time for large `primes` jobs on many pull workers (the default), beside one activation per
// task, from costs measured here (the scaling, platform and defaults benchmarks' results when present, and a short
// sieve run at high offsets) and published OpenWhisk figures.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countPrimesInRange } from '../kernels/sieve.ts';
import { fanoutDepth } from './scaling-records.ts';
import { fmt, machine } from './stats.ts';
import type { ScalingResult } from './scaling.ts';
import type { DefaultsBenchResult } from './defaults.ts';
import { TASKS_PER_WORKER } from '../pipeline/sizing/decide.ts';

/** Costs of one deployment, all in ms unless named otherwise. */
export interface Scenario {
  name: string;
  /** Latency of one non-blocking invoke as a coordinator sees it. */
  invokeMs: number;
  /** Aggregate rate at which the platform can start activations, per second. */
  activationsPerSec: number;
  /** Cold start of a Node.js action container (create + /init). */
  coldStartMs: number;
  /** Entry + split + first coordinator, warm. */
  submitMs: number;
  /** Last task done → result stored (trigger, rule, reduce). */
  finishMs: number;
  /** Invokes a coordinator keeps in flight. */
  coordinatorConcurrency: number;
  /** A pull worker's cost per task beyond its compute: claim, completion, lease (Redis round trips). */
  claimMs: number;
  source: string;
}

export interface Prediction {
  below: number;
  workers: number;
  tasks: number;
  fanout: number;
  /** Depth of the tree that starts the workers. */
  depth: number;
  /** Submit → last worker started. */
  startAllS: number;
  /** Serial compute over the workers. */
  computeS: number;
  /** One task's compute: the most a worker can finish after the others. */
  taskS: number;
  totalS: number;
  /** The same job with one activation per task (tasks of at most the budget each, as many as workers or more). */
  pushTotalS: number;
}

export interface ModelResult {
  machine: string;
  /** Numbers sieved per second by one worker near each offset. */
  sieveRate: Record<string, number>;
  scenarios: Scenario[];
  fanoutChoice: Array<{ fanout: number; depth: number; startAllS: number }>;
  predictions: Record<string, Prediction[]>;
}

const WORKERS = [100, 300, 1000, 3000, 10_000];
const JOBS = [1e12, 1e13, 1e14];
const FANOUTS = [8, 16, 32, 64, 128, 256];

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/** Numbers per second one worker sieves just below `top` (the slowest, last range of a job). */
export function measureSieveRate(top: number, span: number): number {
  const t = process.hrtime.bigint();
  countPrimesInRange(top - span, top);
  return span / (Number(process.hrtime.bigint() - t) / 1e9);
}

/**
 * Time until the last task has started: submit, then each tree level costs a cold start (new coordinators) and
 * ceil(children / concurrency) invoke round trips; leaves start their tasks the same way; the whole fan-out cannot
 * beat the platform's aggregate activation rate; the workers' own cold start comes last.
 */
export function startAllMs(s: Scenario, tasks: number, fanout: number): { ms: number; depth: number } {
  const { depth, coordinators } = fanoutDepth(tasks, fanout, fanout);
  const perLevel = s.coldStartMs + Math.ceil(fanout / s.coordinatorConcurrency) * s.invokeMs;
  const treeMs = depth * perLevel;
  const rateMs = ((tasks + coordinators) / s.activationsPerSec) * 1000;
  return { ms: s.submitMs + Math.max(treeMs, rateMs) + s.coldStartMs, depth };
}

/** Longest a task may compute: OpenWhisk's default action timeout (1 min) less a margin. */
export const TASK_BUDGET_S = 50;
/** A pull task's share of the worker's time limit at most (the plan's rule): it hands over between tasks. */
const PULL_TASK_BUDGET_S = 15;

/**
 * Pull mode: the tree starts W workers (not tasks), which start evenly between the first and the last; each claims
 * task after task, so early workers take more and all finish within one task of each other: the job ends at the
 * workers' mean start plus the compute over W, plus one task at most.
 */
export function predict(s: Scenario, below: number, workers: number, fanout: number, ratePerSec: number): Prediction {
  const serialS = below / ratePerSec;
  const tasks = workers * Math.max(TASKS_PER_WORKER, Math.ceil(serialS / workers / PULL_TASK_BUDGET_S));
  const taskS = serialS / tasks;
  const start = startAllMs(s, workers, fanout);
  const firstStartS = (s.submitMs + s.coldStartMs) / 1000;
  const startAllS = start.ms / 1000;
  const claimsS = ((tasks / workers) * s.claimMs) / 1000;
  const computeS = serialS / workers;
  const totalS = (firstStartS + startAllS) / 2 + computeS + claimsS + taskS + s.finishMs / 1000;
  // One activation per task: the tree over every task, then each worker's tasks back to back.
  const pushTasks = workers * Math.max(1, Math.ceil(computeS / TASK_BUDGET_S));
  const pushStartS = startAllMs(s, pushTasks, fanout).ms / 1000;
  const pushTotalS = pushStartS + computeS + s.finishMs / 1000;
  return { below, workers, tasks, fanout, depth: start.depth, startAllS, computeS, taskS, totalS, pushTotalS };
}

function scenarios(scaling: ScalingResult | undefined, platform: Record<string, any> | undefined, defaults: DefaultsBenchResult | undefined): Scenario[] {
  const claimMs = defaults && defaults.tasks.perTaskMs.pull > 0 ? defaults.tasks.perTaskMs.pull : 0.3;
  const runs = scaling?.orchestration.runs ?? [];
  const biggest = [...runs].filter((r) => r.sleepMs > 0).sort((a, b) => b.tasks - a.tasks)[0];
  const smallest = [...runs].filter((r) => r.sleepMs > 0).sort((a, b) => a.tasks - b.tasks)[0];
  const embedded: Scenario = {
    name: 'embedded platform, this machine (measured)',
    invokeMs: platform?.warmBlocking?.platform?.p50 ?? 1,
    activationsPerSec: biggest?.workStartsPerSec ?? platform?.nonBlocking?.platformActivationsPerSec ?? 900,
    coldStartMs: scaling?.orchestration.coldStartMs.p50 || platform?.coldStart?.platform?.p50 || 200,
    submitMs: smallest?.firstStartMs ?? 300,
    finishMs: smallest ? Math.max(0, smallest.endToEndMs - smallest.allStartedMs - smallest.sleepMs) : 200,
    coordinatorConcurrency: scaling?.orchestration.coordinatorConcurrency ?? 16,
    claimMs,
    source: scaling ? 'bench/results/scaling.json, platform.json, defaults.json' : 'assumed (run `npm run bench -- scaling platform defaults` to measure)',
  };
  const deployed: Scenario = {
    name: 'OpenWhisk on Kubernetes, limits raised (assumed)',
    invokeMs: 30,
    activationsPerSec: 2000,
    coldStartMs: 1500,
    submitMs: 3 * 30 + 1500,
    finishMs: 3 * 30 + 1500,
    coordinatorConcurrency: scaling?.orchestration.coordinatorConcurrency ?? 16,
    // Two Redis round trips of ~0.5 ms inside a cluster network, the rest as measured here.
    claimMs: claimMs + 1,
    source: 'published figures; see docs/SCALING.md',
  };
  return [embedded, deployed];
}

/** `inputDirs`: where the measured reports are read from, first found wins (this run's reports, then the published). */
export async function benchModel(opts: { quick: boolean; inputDirs: string[] }): Promise<{ data: ModelResult; markdown: string }> {
  const report = <T>(name: string) => readJson<T>(opts.inputDirs.map((dir) => join(dir, name)).find((file) => existsSync(file)) ?? join(opts.inputDirs[0]!, name));
  const scaling = report<ScalingResult>('scaling.json');
  const platform = report<Record<string, any>>('platform.json');
  const defaults = report<DefaultsBenchResult>('defaults.json');
  const span = opts.quick ? 5e7 : 3e8;
  const sieveRate: Record<string, number> = {};
  for (const top of JOBS) sieveRate[String(top)] = measureSieveRate(top, span);
  const all = scenarios(scaling, platform, defaults);
  const deployed = all[1]!;
  const fanoutChoice = FANOUTS.map((fanout) => {
    const s = startAllMs(deployed, 1000, fanout);
    return { fanout, depth: s.depth, startAllS: s.ms / 1000 };
  });
  const best = fanoutChoice.reduce((a, b) => (b.startAllS < a.startAllS ? b : a));
  const predictions: Record<string, Prediction[]> = {};
  for (const s of all) {
    predictions[s.name] = JOBS.flatMap((below) => WORKERS.map((w) => predict(s, below, w, best.fanout, sieveRate[String(below)]!)));
  }
  const data: ModelResult = { machine: machine(), sieveRate, scenarios: all, fanoutChoice, predictions };
  return { data, markdown: modelMarkdown(data, best.fanout) };
}

function modelMarkdown(r: ModelResult, fanout: number): string {
  const lines = [
    `### Model: primes below 1e12, 1e13 and 1e14 on 100-10,000 pull workers (${r.machine})`,
    '',
    `One worker sieves ${Object.entries(r.sieveRate).map(([top, rate]) => `${fmt(rate / 1e6, 0)} M numbers/s just below ${Number(top).toExponential(0)}`).join(', ')}` +
      ' (measured now; the top of the range is the slowest, so tasks there finish last).',
    '',
    '| scenario | invoke (ms) | activations /s | cold start (ms) | submit (ms) | finish (ms) | claim per task (ms) | source |',
    '|---|---|---|---|---|---|---|---|',
    ...r.scenarios.map((s) => `| ${s.name} | ${fmt(s.invokeMs, 1)} | ${fmt(s.activationsPerSec, 0)} | ${fmt(s.coldStartMs, 0)} | ${fmt(s.submitMs, 0)} | ${fmt(s.finishMs, 0)} | ${fmt(s.claimMs, 2)} | ${s.source} |`),
    '',
    'Fan-out degree (deployed scenario, 1,000 tasks, leaf size = fan-out):',
    '',
    '| fan-out | depth | all tasks started (s) |',
    '|---|---|---|',
    ...r.fanoutChoice.map((f) => `| ${f.fanout}${f.fanout === fanout ? ' (chosen)' : ''} | ${f.depth} | ${fmt(f.startAllS)} |`),
    '',
  ];
  for (const [name, preds] of Object.entries(r.predictions)) {
    lines.push(
      `Predicted end to end, ${name}, fan-out ${fanout}: pull workers with ${TASKS_PER_WORKER} tasks each (more if a task would pass ${PULL_TASK_BUDGET_S} s), beside one activation per task (tasks under ${TASK_BUDGET_S} s):`,
      '',
    );
    lines.push('| N | workers | tasks | depth (workers) | all workers started (s) | compute (s) | one task (s) | total, pull (s) | total, push (s) |', '|---|---|---|---|---|---|---|---|---|');
    for (const p of preds) {
      lines.push(`| ${p.below.toExponential(0)} | ${p.workers} | ${p.tasks} | ${p.depth} | ${fmt(p.startAllS)} | ${fmt(p.computeS)} | ${fmt(p.taskS)} | ${fmt(p.totalS)} | ${fmt(p.pushTotalS)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
