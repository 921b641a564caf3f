// One 64-task `primes` job end to end through composer's parallel `map` (supercompute-map: one conductor branch per
// task, fork/join in Redis) beside the same job through the coordinator (supercompute with `wait`), on the same
// platform in the same run. The first run of each path is cold (fresh containers); the rest are warm.
import { ensureRedis } from '../host/local/redis-server.ts';
import { invokeAction, stateOf, type Answer } from '../host/jobs/client.ts';
import { startBenchPipeline } from './pipeline-env.ts';
import { fmt, machine, summarize } from './stats.ts';

const TASKS = 64;

interface PathFigures {
  coldMs: number;
  warmMs: { p50: number; mean: number; n: number };
  /** Activations one job took on this path (conductor runs, components, workers, coordinators, reduce...). */
  activationsPerJob: number;
}

export interface CompositionsBenchResult {
  machine: string;
  kernel: string;
  params: Record<string, unknown>;
  tasks: number;
  count: number;
  map: PathFigures;
  coordinator: PathFigures;
  warmRatioP50: number;
}

export async function benchCompositions(opts: { quick: boolean }): Promise<CompositionsBenchResult> {
  const below = opts.quick ? 1e7 : 1e8;
  const reps = opts.quick ? 2 : 4;
  const params = { below };
  const redis = await ensureRedis();
  const pipe = await startBenchPipeline({ userMemoryMB: 64 * 1024, redisUrl: redis.url });
  try {
    const runs: Record<'map' | 'coordinator', { ms: number; activations: number }[]> = { map: [], coordinator: [] };
    let count: unknown;
    // The entry action holds its answer until the job ends (`wait`); a job that outlasts that is followed to its end.
    const coordinated = async (): Promise<Answer> => {
      const job = await pipe.jobs.submit({ kernel: 'primes', params, tasks: TASKS, waitMs: 55_000 });
      return { ...(job.ended ?? (await pipe.jobs.wait(job.jobId, { pollMs: 100 }))) };
    };
    const once = async (path: 'map' | 'coordinator') => {
      const since = Date.now();
      const t = performance.now();
      const r = path === 'map' ? await invokeAction(pipe.client, 'supercompute-map', { kernel: 'primes', params, tasks: TASKS }) : await coordinated();
      const ms = performance.now() - t;
      const state = stateOf(r);
      if (state !== 'done') throw new Error(`${path} path: job did not finish: ${JSON.stringify(r).slice(0, 300)}`);
      if (count !== undefined && JSON.stringify(r.result) !== JSON.stringify(count)) throw new Error(`${path} path: result differs`);
      count = r.result;
      // Reduce and the last records land a moment after the answer: count what started during the job.
      // Both paths run the job in push mode (tasks without workers).
      const tasks = pipe.pushAction.primes!;
      const names = path === 'map' ? ['supercompute-map', 'job-create', tasks, 'job-await', 'reduce'] : ['supercompute', 'split', 'coordinate', tasks, 'reduce'];
      let activations = 0;
      for (const name of names) activations += await pipe.countActivations(name, since);
      runs[path].push({ ms, activations });
      console.error(`  ${path}: ${fmt(ms, 0)} ms, ${activations} activations`);
    };
    for (let i = 0; i < reps + 1; i++) {
      await once('map');
      await once('coordinator');
    }
    const figures = (path: 'map' | 'coordinator'): PathFigures => {
      const [cold, ...warm] = runs[path];
      const s = summarize(warm.map((r) => r.ms));
      return { coldMs: cold.ms, warmMs: { p50: s.p50, mean: s.mean, n: s.n }, activationsPerJob: warm[0]?.activations ?? cold.activations };
    };
    const map = figures('map');
    const coordinator = figures('coordinator');
    return {
      machine: machine(),
      kernel: 'primes',
      params,
      tasks: TASKS,
      count: (count as { count: number }).count,
      map,
      coordinator,
      warmRatioP50: map.warmMs.p50 / coordinator.warmMs.p50,
    };
  } finally {
    await pipe.stop();
    await redis.stop();
  }
}

export function compositionsMarkdown(r: CompositionsBenchResult): string {
  const row = (name: string, f: PathFigures) =>
    `| ${name} | ${fmt(f.coldMs, 0)} | ${fmt(f.warmMs.p50, 0)} | ${fmt(f.warmMs.mean, 0)} | ${f.warmMs.n} | ${f.activationsPerJob} |`;
  return [
    `# compositions: a ${r.tasks}-task primes job through composer's map vs the coordinator`,
    '',
    `Machine: ${r.machine}. Job: primes below ${r.params.below} in ${r.tasks} tasks (count ${r.count}), end to end`,
    '(blocking invoke to result), both paths on the same embedded platform in one run.',
    '',
    '| path | cold ms | warm p50 ms | warm mean ms | warm runs | activations per job |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('composer map (supercompute-map)', r.map),
    row('coordinator (supercompute, wait)', r.coordinator),
    '',
    `Warm p50, map / coordinator: ${fmt(r.warmRatioP50)}×. The map path runs one conductor branch per task (two conductor`,
    'activations around each `work`), each in its own container, and joins them through Redis; the coordinator invokes',
    '`work` directly and learns of completion from the job store.',
    '',
  ].join('\n');
}
