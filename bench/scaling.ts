// Scaling of the real pipeline on the embedded platform:
//  1. CPU-bound: `primes` with 1..cpus workers (containers allowed to run `work` at once), against the serial
//     reference and primesieve measured in the same run;
//  2. orchestration: thousands of `sleep` / no-op tasks all in flight at once;
//  3. the same tasks through a worker_threads pool (piscina) as the baseline.
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPrimesSerial, primesieveSeconds } from './kernels.ts';
import { piscinaRun, type PoolRun } from './piscina-baseline.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fanoutDepth, maxOverlap, taskRecords } from './scaling-records.ts';
import { fmt, machine, summarize } from './stats.ts';
import type { JobStatus } from '../pipeline/job/status.ts';
import { ensureRedis, findOnPath } from '../host/local/redis-server.ts';
import { timelineSvg } from '../pipeline/views/timeline-svg.ts';
import { histogramSvg } from '../pipeline/views/histogram-svg.ts';

const PI_1E10 = 455_052_511;
/** Memory per `work` container in the CPU-bound runs: larger than everything else together, so user memory admits exactly `workers` of them. */
const WORK_MB = 4096;
const OTHER_MB = 128;
const OTHERS_ROOM_MB = 1024;

export interface CpuRun {
  workers: number;
  userMemoryMB: number;
  /** Job start → result stored (the job's own timings). */
  endToEndMs: number;
  /** Submit → status says done, seen by the client. */
  wallMs: number;
  speedup: number;
  efficiency: number;
  /** Most `work` activations seen running at once: checks that `workers` is what ran. */
  maxConcurrentWork: number;
  count: number;
  correct: boolean;
}

export interface OrchestrationRun {
  tasks: number;
  sleepMs: number;
  depth: number;
  coordinators: number;
  firstStartMs: number;
  allStartedMs: number;
  endToEndMs: number;
  wallMs: number;
  overheadMs: number;
  overheadPerTaskMs: number;
  workStartsPerSec: number;
  /** Every activation of the job (entry, split, coordinators, work, reduce) per second of its run. */
  activationsPerSec: number;
  activations: Record<string, number>;
  coldStarts: number;
  piscina: PoolRun;
  overheadPerTaskRatio: number;
}

export interface ScalingResult {
  machine: string;
  quick: boolean;
  cpu: {
    below: number;
    tasks: number;
    serialSeconds: number[];
    serialBestSeconds: number;
    primesieveSeconds: number | null;
    runs: CpuRun[];
  };
  orchestration: {
    sleepMs: number;
    fanout: number;
    leafSize: number;
    coordinatorConcurrency: number;
    workConcurrency: number;
    /** Cold start (init) of a `work` container, ms. */
    coldStartMs: { p50: number; p99: number; n: number };
    runs: OrchestrationRun[];
  };
}

const log = (line: string) => console.error(`  scaling: ${line}`);

async function runJob(p: BenchPipeline, kernel: string, params: Record<string, unknown>, tasks: number): Promise<{ status: JobStatus; wallMs: number; jobId: string; submitted: number }> {
  const submitted = Date.now();
  const { jobId } = await p.jobs.submit({ kernel, params, tasks });
  const status = await p.jobs.wait(jobId, { pollMs: 100 });
  if (status.state !== 'done') throw new Error(`job ${jobId} (${kernel}, ${tasks} tasks) ended ${status.state}: ${JSON.stringify(status.error ?? status).slice(0, 300)}`);
  return { status, wallMs: Date.now() - submitted, jobId, submitted };
}

function timingsOf(status: JobStatus): { jobStart: number; firstWorkerStart: number; lastWorkerStart: number; elapsedMs: number } {
  const t = status.timings as Record<string, number | null> | undefined;
  if (!t || typeof t.jobStart !== 'number' || typeof t.elapsedMs !== 'number') throw new Error(`job ${status.jobId} has no timings`);
  return {
    jobStart: t.jobStart,
    firstWorkerStart: t.firstWorkerStart ?? t.jobStart,
    lastWorkerStart: t.lastWorkerStart ?? t.jobStart,
    elapsedMs: t.elapsedMs,
  };
}

export async function cpuBound(
  redisUrl: string,
  quick: boolean,
  resultsDir: string,
  workerCounts: number[] = Array.from({ length: cpus().length }, (_, i) => i + 1),
): Promise<ScalingResult['cpu']> {
  const below = quick ? 1e9 : 1e10;
  const maxWorkers = Math.max(...workerCounts);
  const tasks = 8 * maxWorkers;
  const serialSeconds: number[] = [];
  const serial = async () => {
    const s = await benchPrimesSerial(below);
    serialSeconds.push(s.seconds);
    log(`serial reference ${fmt(s.seconds)} s (${s.count} primes)`);
  };
  await serial();
  const primesieve = primesieveSeconds(below);
  if (primesieve !== null) log(`primesieve -t1 ${fmt(primesieve)} s`);
  const runs: CpuRun[] = [];
  for (const workers of workerCounts) {
    const userMemoryMB = workers * WORK_MB + OTHERS_ROOM_MB;
    const others = Object.fromEntries(['supercompute', 'split', 'coordinate', 'reduce', 'status'].map((n) => [n, { memory: OTHER_MB }]));
    const p = await startBenchPipeline({
      userMemoryMB,
      redisUrl,
      limits: { memory: { min: OTHER_MB, max: WORK_MB, default: 256 } },
      actionLimits: others,
      kernelLimits: { memory: WORK_MB, concurrency: 1 },
      actionParams: { supercompute: { ttlSeconds: 3600, taskWindow: 0, maxTasksInFlight: 0 } },
    });
    try {
      // Warm every worker container first: the figure is the steady-state compute, cold starts are measured below.
      await runJob(p, 'primes', { below: 1e7 }, workers * 4);
      const job = await runJob(p, 'primes', { below }, tasks);
      const t = timingsOf(job.status);
      const count = Number((job.status.result as { count?: number } | undefined)?.count);
      const records = taskRecords(await p.activations(p.pushAction.primes!, job.submitted), job.jobId);
      const best = Math.min(...serialSeconds);
      const speedup = best / (t.elapsedMs / 1000);
      runs.push({
        workers,
        userMemoryMB,
        endToEndMs: t.elapsedMs,
        wallMs: job.wallMs,
        speedup,
        efficiency: speedup / workers,
        maxConcurrentWork: maxOverlap(records),
        count,
        correct: below === 1e10 ? count === PI_1E10 : count === 50_847_534,
      });
      log(`primes < ${below}, ${workers} workers: ${fmt(t.elapsedMs / 1000)} s, speedup ${fmt(speedup)}`);
      if (workers === maxWorkers) {
        writeFileSync(join(resultsDir, 'scaling-primes-timeline.svg'), timelineSvg(records, { origin: t.jobStart, title: `primes below ${below}, ${tasks} tasks on ${workers} workers` }));
      }
    } finally {
      await p.stop();
    }
  }
  await serial();
  return { below, tasks, serialSeconds, serialBestSeconds: Math.min(...serialSeconds), primesieveSeconds: primesieve, runs };
}

async function orchestration(redisUrl: string, quick: boolean, resultsDir: string): Promise<ScalingResult['orchestration']> {
  const sizes = quick ? [200, 1000] : [1000, 5000, 10000];
  const sleepMs = quick ? 500 : 1000;
  const workConcurrency = 500;
  const p = await startBenchPipeline({
    userMemoryMB: 64 * 1024,
    redisUrl,
    // All tasks in flight at once, as an operator would allow for this workload.
    limits: { concurrentInvocations: 100_000, invocationsPerMinute: 10_000_000 },
    kernelLimits: { concurrency: workConcurrency },
    actionParams: { supercompute: { ttlSeconds: 3600, taskWindow: 0, maxTasksInFlight: 0 } },
  });
  const fanout = Number(p.entryParams.fanout ?? 32);
  const leafSize = Number(p.entryParams.leafSize ?? 64);
  const coordinatorConcurrency = Number(p.entryParams.concurrency ?? 16);
  const runs: OrchestrationRun[] = [];
  const inits: number[] = [];
  try {
    for (const tasks of sizes) {
      for (const ms of [0, sleepMs]) {
        const job = await runJob(p, 'sleep', { ms }, tasks);
        const t = timingsOf(job.status);
        const docs = await p.activations(p.kernelAction.sleep!, job.submitted);
        const records = taskRecords(docs, job.jobId);
        for (const r of records) if (r.cold && r.initMs) inits.push(r.initMs);
        const activations: Record<string, number> = {};
        for (const [label, name] of Object.entries({ supercompute: 'supercompute', split: 'split', coordinate: 'coordinate', work: p.kernelAction.sleep!, reduce: 'reduce' })) {
          activations[label] = await p.countActivations(name, job.submitted);
        }
        const totalActivations = Object.values(activations).reduce((a, b) => a + b, 0);
        const { depth, coordinators } = fanoutDepth(tasks, fanout, leafSize);
        const overheadMs = t.elapsedMs - ms;
        const piscina = await piscinaRun(tasks, ms);
        const allStartedMs = t.lastWorkerStart - t.jobStart;
        runs.push({
          tasks,
          sleepMs: ms,
          depth,
          coordinators,
          firstStartMs: t.firstWorkerStart - t.jobStart,
          allStartedMs,
          endToEndMs: t.elapsedMs,
          wallMs: job.wallMs,
          overheadMs,
          overheadPerTaskMs: overheadMs / tasks,
          workStartsPerSec: tasks / (Math.max(1, allStartedMs) / 1000),
          activationsPerSec: totalActivations / (t.elapsedMs / 1000),
          activations,
          coldStarts: records.filter((r) => r.cold).length,
          piscina,
          overheadPerTaskRatio: overheadMs / tasks / Math.max(1e-6, piscina.overheadPerTaskMs),
        });
        log(`sleep ${ms} ms x ${tasks}: all started after ${allStartedMs} ms, end to end ${t.elapsedMs} ms (piscina ${fmt(piscina.endToEndMs)} ms)`);
        if (tasks === sizes[0] && ms === sleepMs) {
          writeFileSync(join(resultsDir, 'scaling-sleep-timeline.svg'), timelineSvg(records, { origin: t.jobStart, title: `${tasks} tasks of sleep ${ms} ms` }));
          writeFileSync(
            join(resultsDir, 'scaling-sleep-start-histogram.svg'),
            histogramSvg(records.map((r) => r.start - t.jobStart), { title: `start of each of ${tasks} tasks after the job started`, xLabel: 'ms after job start' }),
          );
        }
      }
    }
  } finally {
    await p.stop();
  }
  return { sleepMs, fanout, leafSize, coordinatorConcurrency, workConcurrency, coldStartMs: summarize(inits), runs };
}

export async function benchScaling(opts: { quick?: boolean; resultsDir: string }): Promise<ScalingResult> {
  const quick = opts.quick ?? false;
  const redis = await ensureRedis();
  try {
    const cpu = await cpuBound(redis.url, quick, opts.resultsDir);
    const orch = await orchestration(redis.url, quick, opts.resultsDir);
    return { machine: machine(), quick, cpu, orchestration: orch };
  } finally {
    await redis.stop();
  }
}

export function scalingMarkdown(r: ScalingResult): string {
  const c = r.cpu;
  const o = r.orchestration;
  const lines = [
    `### Scaling (${r.machine}${r.quick ? ', --quick' : ''})`,
    '',
    `#### CPU-bound: primes below ${c.below.toExponential(0)}, ${c.tasks} tasks`,
    '',
    `Serial reference (same run): ${c.serialSeconds.map((s) => fmt(s)).join(' s, ')} s (best ${fmt(c.serialBestSeconds)} s)` +
      (c.primesieveSeconds !== null ? `; primesieve -t1: ${fmt(c.primesieveSeconds)} s.` : '; primesieve not on PATH.'),
    '',
    '| workers | end to end (s) | client wall (s) | speedup vs serial | efficiency | max work running at once | count ok |',
    '|---|---|---|---|---|---|---|',
    ...c.runs.map(
      (x) =>
        `| ${x.workers} | ${fmt(x.endToEndMs / 1000)} | ${fmt(x.wallMs / 1000)} | ${fmt(x.speedup)}x | ${fmt(x.efficiency * 100, 0)}% | ${x.maxConcurrentWork} | ${x.correct ? 'yes' : `NO (${x.count})`} |`,
    ),
    '',
    `#### Orchestration: sleep tasks all in flight (fanout ${o.fanout}, leaf ${o.leafSize}, ${o.coordinatorConcurrency} invokes in flight per coordinator, work concurrency ${o.workConcurrency})`,
    '',
    `Cold start of a work container (init): p50 ${fmt(o.coldStartMs.p50, 0)} ms, p99 ${fmt(o.coldStartMs.p99, 0)} ms (n = ${o.coldStartMs.n}).`,
    '',
    '| tasks | sleep (ms) | depth | all started (ms) | end to end (ms) | overhead over sleep (ms) | work starts /s | activations /s | cold starts | piscina end to end (ms) | overhead per task: pipeline / piscina (ms) | ratio |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...o.runs.map(
      (x) =>
        `| ${x.tasks} | ${x.sleepMs} | ${x.depth} | ${x.allStartedMs} | ${x.endToEndMs} | ${x.overheadMs} | ${fmt(x.workStartsPerSec, 0)} | ${fmt(x.activationsPerSec, 0)} | ${x.coldStarts} | ${fmt(x.piscina.endToEndMs, 0)} | ${fmt(x.overheadPerTaskMs, 3)} / ${fmt(x.piscina.overheadPerTaskMs, 4)} | ${fmt(x.overheadPerTaskRatio, 0)}x |`,
    ),
    '',
    'Timelines: `scaling-primes-timeline.svg`, `scaling-sleep-timeline.svg`; task start delays: `scaling-sleep-start-histogram.svg`.',
    '',
  ];
  return lines.join('\n');
}
