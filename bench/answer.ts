// How soon the host learns that a job ended: a warm one-task `sleep` job of 100 ms, submit → answer through the host's
// job client, with long-polls on `status` (each held until the job ends) beside plain polling every 500 ms (the client
// before long-polls), alternating on the same platform in the same run. The job's own time (its first worker's
// start to its reduce's end) is the floor both paths share.
import { ensureRedis } from '../host/local/redis-server.ts';
import type { JobWaitOptions } from '../host/jobs/client.ts';
import { startBenchPipeline, type BenchPipeline } from './pipeline-env.ts';
import { fmt, machine, percentile } from './stats.ts';

const WORK_MS = 100;
const POLL_MS = 500;

interface Figures {
  p50: number;
  p95: number;
  mean: number;
  n: number;
}

export interface AnswerBenchResult {
  machine: string;
  job: { kernel: 'sleep'; ms: number; tasks: number };
  pollMs: number;
  /** Submit → answer, ms. */
  longPoll: Figures;
  polling: Figures;
  /** reduceEnd − jobStart of the same jobs, ms. */
  jobTime: Figures;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length),
    n: samples.length,
  };
}

/** One job, submit to answer, waited for as `wait` says; answers the wall time and the job's own time. */
async function answerTime(pipe: BenchPipeline, wait: JobWaitOptions): Promise<{ ms: number; jobMs: number }> {
  const t = performance.now();
  const { jobId } = await pipe.jobs.submit({ kernel: 'sleep', params: { ms: WORK_MS }, tasks: 1 });
  const status = await pipe.jobs.wait(jobId, wait);
  const ms = performance.now() - t;
  if (status.state !== 'done') throw new Error(`job ${jobId} ended ${status.state}: ${status.error ?? ''}`);
  return { ms, jobMs: status.timings?.elapsedMs ?? NaN };
}

export async function benchAnswer(opts: { quick: boolean }): Promise<AnswerBenchResult> {
  const runs = opts.quick ? 6 : 20;
  const redis = await ensureRedis();
  const pipe = await startBenchPipeline({ redisUrl: redis.url, platformDefaults: true });
  const longPoll: JobWaitOptions = { pollMs: POLL_MS };
  const polling: JobWaitOptions = { pollMs: POLL_MS, waitMs: 0 };
  try {
    // Warm every action on both paths (containers, Redis connections, the status action's subscriber).
    for (let i = 0; i < 3; i++) {
      await answerTime(pipe, longPoll);
      await answerTime(pipe, polling);
    }
    const samples = { longPoll: [] as number[], polling: [] as number[], job: [] as number[] };
    for (let i = 0; i < runs; i++) {
      for (const path of ['longPoll', 'polling'] as const) {
        const r = await answerTime(pipe, path === 'longPoll' ? longPoll : polling);
        samples[path].push(r.ms);
        samples.job.push(r.jobMs);
        console.error(`  ${path}: ${fmt(r.ms, 0)} ms (job ${fmt(r.jobMs, 0)} ms)`);
      }
    }
    return {
      machine: machine(),
      job: { kernel: 'sleep', ms: WORK_MS, tasks: 1 },
      pollMs: POLL_MS,
      longPoll: figures(samples.longPoll),
      polling: figures(samples.polling),
      jobTime: figures(samples.job),
    };
  } finally {
    await pipe.stop();
    await redis.stop();
  }
}

export function answerMarkdown(r: AnswerBenchResult): string {
  const row = (name: string, f: Figures) => `| ${name} | ${fmt(f.p50, 0)} | ${fmt(f.p95, 0)} | ${fmt(f.mean, 0)} | ${f.n} |`;
  return [
    `# answer: a warm ${r.job.ms}-ms job, submit → answer through the host's job client`,
    '',
    `Machine: ${r.machine}. Job: \`sleep\` with ms ${r.job.ms}, ${r.job.tasks} task, on the embedded platform with the`,
    'shipped manifest, warmed up first; the two ways of waiting alternate in one run.',
    '',
    '| wait | p50 ms | p95 ms | mean ms | runs |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(`long-poll (status waitMs ${r.pollMs})`, r.longPoll),
    row(`polling every ${r.pollMs} ms (waitMs 0)`, r.polling),
    row('the job itself (jobStart → reduceEnd)', r.jobTime),
    '',
    `p50, polling / long-poll: ${fmt(r.polling.p50 / r.longPoll.p50)}×. With long-polls the answer comes when the job`,
    'ends (the ending script publishes on the job\'s channel, the waiting `status` answers); with polling, at the first',
    `poll after the end, up to ${r.pollMs} ms later.`,
    '',
  ].join('\n');
}
