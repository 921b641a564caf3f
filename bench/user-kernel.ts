// The same algorithm as a built-in kernel and as a user's: `pi` as shipped, and the same module deployed again by
// `deployKernel` under another name, the way `supercompute kernel deploy` deploys a user's module. Both run on the
// shipped manifest and the platform's defaults; the cost of a task is the marginal cost of the extra tasks of a large
// job over a small one (push mode, one activation per task: 1,000 over 200; pull mode, 2 workers: 10,000 over 1,000),
// alternating built-in and user jobs, medians of the jobs' own timings.
import { ensureRedis } from '../host/local/redis-server.ts';
import { deployKernel } from '../host/kernels/deploy.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, median } from './stats.ts';

const log = (line: string) => console.error(`  user-kernel: ${line}`);

const SIZES = { push: [200, 1000], pull: [1000, 10_000] } as const;

interface ModeResult {
  mode: 'push' | 'pull';
  /** The small and the large job's tasks. */
  tasks: readonly [number, number];
  /** ms per task, built-in and user, and user over built-in. */
  builtinMs: number;
  userMs: number;
  ratio: number;
  samples: Record<string, number[]>;
}

export interface UserKernelBenchResult {
  machine: string;
  reps: number;
  modes: ModeResult[];
}

async function elapsed(pipe: BenchPipeline, kernel: string, tasks: number, workers: number | undefined): Promise<number> {
  // One sample per task: the work is next to nothing, so what is measured is the task's path.
  const { jobId } = await pipe.jobs.submit({ kernel, params: { samples: tasks, seed: 1 }, tasks, ...(workers ? { workers } : {}) });
  const st = await pipe.jobs.wait(jobId, { pollMs: 20_000 });
  if (st.state !== 'done') throw new Error(`${kernel} job ${jobId} ended ${st.state}: ${st.error ?? ''}`);
  return st.timings?.elapsedMs ?? NaN;
}

export async function benchUserKernel(opts: { quick: boolean }): Promise<UserKernelBenchResult> {
  const reps = opts.quick ? 2 : 5;
  const redis = await ensureRedis();
  const pipe = await startBenchPipeline({ redisUrl: redis.url, platformDefaults: true });
  try {
    const user = await deployKernel(pipe.client, 'kernels/pi.ts', { name: 'pi-user' });
    log(`deployed kernels/pi.ts as ${user.name}@${user.version}`);
    const modes: ModeResult[] = [];
    for (const [mode, workers] of [['push', undefined], ['pull', 2]] as const) {
      const [small, large] = SIZES[mode];
      const samples: Record<string, number[]> = {};
      for (const kernel of ['pi', 'pi-user']) await elapsed(pipe, kernel, small, workers); // warm both
      for (let r = 0; r < reps; r++) {
        for (const kernel of r % 2 === 0 ? ['pi', 'pi-user'] : ['pi-user', 'pi']) {
          for (const tasks of [small, large]) {
            const ms = await elapsed(pipe, kernel, tasks, workers);
            (samples[`${kernel} ${tasks}`] ??= []).push(ms);
            log(`${mode} ${kernel} ${tasks} tasks: ${ms} ms`);
          }
        }
      }
      const perTask = (kernel: string) => (median(samples[`${kernel} ${large}`]) - median(samples[`${kernel} ${small}`])) / (large - small);
      const builtinMs = perTask('pi');
      const userMs = perTask('pi-user');
      modes.push({ mode, tasks: SIZES[mode], builtinMs, userMs, ratio: userMs / builtinMs, samples });
    }
    return { machine: machine(), reps, modes };
  } finally {
    await pipe.stop();
    await redis.stop();
  }
}

export function userKernelMarkdown(r: UserKernelBenchResult): string {
  const rows = r.modes.map((m) => `| ${m.mode} | ${m.tasks[1]} − ${m.tasks[0]} | ${fmt(m.builtinMs, 3)} | ${fmt(m.userMs, 3)} | ${fmt(m.ratio, 3)} |`);
  return [
    '# Built-in kernel vs the same module deployed as a user kernel',
    '',
    `Machine: ${r.machine}. Marginal cost of a task of \`pi\` (one sample each), medians of ${r.reps} alternating runs.`,
    '',
    '| mode | tasks | built-in ms/task | user ms/task | user / built-in |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
