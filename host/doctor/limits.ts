// The namespace's limits against what the pipeline and a job of `tasks` tasks need, with the Helm values
// (openwhisk-deploy-kube, docs/SCALING.md) that raise them.
import type { Finding, HelmValues } from './finding.ts';
import { isDict } from './target-info.ts';

type Dict = Record<string, unknown>;

export interface TargetLimits {
  concurrentInvocations?: number;
  invocationsPerMinute?: number;
  maxActionTimeoutMs?: number;
  maxActionMemoryMB?: number;
}

/** What the deployed actions and the job ask for. */
export interface Needs {
  /** The longest `limits.timeout` among the manifest's actions, ms. */
  actionTimeoutMs: number;
  /** The largest `limits.memorySize` among the manifest's actions, MB. */
  actionMemoryMB: number;
  /** The job's size, when given. */
  tasks?: number;
  /** The entry action's `maxWorkers`: no job runs more workers at once. */
  maxWorkers: number;
}

/**
 * A job's own activations besides its workers, at once: the entry action, split, the supervisor, a coordinator,
 * reduce, a status poll, and room for one more. Below this no job gets far.
 */
export const JOB_OVERHEAD_ACTIVATIONS = 8;
/** Status polls a minute while a job is followed (one every 500 ms) and the job's own few invokes. */
export const JOB_OVERHEAD_PER_MINUTE = 130;

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Memory as OpenWhisk writes it: bytes (a large number), MB (a small one), or text such as "512 MB" or "512m". */
function megabytes(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?\s*$/i.exec(value);
    if (!m) return undefined;
    const unit = (m[2] ?? 'b').toLowerCase()[0];
    const scale = { b: 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024 }[unit as 'b' | 'k' | 'm' | 'g'];
    return Number(m[1]) * scale;
  }
  const n = positive(value);
  if (n === undefined) return undefined;
  return n >= 2 ** 20 ? n / 2 ** 20 : n;
}

/** The namespace's limits (GET .../limits), completed from the info document's system limits. */
export function limitsOf(namespace: Dict | undefined, info: Dict | undefined): TargetLimits {
  const system = isDict(info?.limits) ? info.limits : {};
  const out: TargetLimits = {};
  const concurrent = positive(namespace?.concurrentInvocations) ?? positive(system.concurrent_actions);
  const perMinute = positive(namespace?.invocationsPerMinute) ?? positive(system.actions_per_minute);
  const timeout = positive(namespace?.maxActionTimeout) ?? positive(system.max_action_duration);
  const memory = megabytes(namespace?.maxActionMemory) ?? megabytes(system.max_action_memory);
  if (concurrent !== undefined) out.concurrentInvocations = concurrent;
  if (perMinute !== undefined) out.invocationsPerMinute = perMinute;
  if (timeout !== undefined) out.maxActionTimeoutMs = timeout;
  if (memory !== undefined) out.maxActionMemoryMB = memory;
  return out;
}

/** Workers a job of `tasks` tasks may run at once. */
function workersFor(needs: Needs): number {
  return Math.min(needs.tasks ?? 1, needs.maxWorkers);
}

export function neededConcurrent(needs: Needs): number {
  return needs.tasks === undefined ? JOB_OVERHEAD_ACTIVATIONS : workersFor(needs) + JOB_OVERHEAD_ACTIVATIONS;
}

/** Every worker started within the job's first minute (push mode: a task is an activation, about 1.03 × tasks). */
export function neededPerMinute(needs: Needs): number {
  return needs.tasks === undefined ? JOB_OVERHEAD_PER_MINUTE : workersFor(needs) + JOB_OVERHEAD_PER_MINUTE;
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.ceil(ms / 1000)}s`;
}

/** One finding per limit, and the Helm values that raise those too small. */
export function judgeLimits(limits: TargetLimits, needs: Needs): { findings: Finding[]; helm: HelmValues } {
  const findings: Finding[] = [];
  const helm: HelmValues = {};
  const forJob = needs.tasks === undefined ? 'any job' : `a job of ${needs.tasks} tasks (${workersFor(needs)} workers at once)`;
  const rows: { check: string; have: number | undefined; need: number; unit: string; helmKey: string; helmValue: string | number; why: string }[] = [
    {
      check: 'concurrent invocations',
      have: limits.concurrentInvocations,
      need: neededConcurrent(needs),
      unit: '',
      helmKey: 'whisk.limits.actionsInvokesConcurrent',
      helmValue: Math.max(neededConcurrent(needs), 2 * workersFor(needs)),
      why: `${forJob} runs its workers and ${JOB_OVERHEAD_ACTIVATIONS} activations of its own at once`,
    },
    {
      check: 'invocations per minute',
      have: limits.invocationsPerMinute,
      need: neededPerMinute(needs),
      unit: '/min',
      helmKey: 'whisk.limits.actionsInvokesPerminute',
      helmValue: Math.max(neededPerMinute(needs), 20 * workersFor(needs)),
      why: `${forJob} starts its workers within a minute, and following it polls its status twice a second`,
    },
    {
      check: 'action time limit',
      have: limits.maxActionTimeoutMs,
      need: needs.actionTimeoutMs,
      unit: ' ms',
      helmKey: 'whisk.limits.actions.time.max',
      helmValue: minutes(needs.actionTimeoutMs),
      why: 'the manifest gives the pipeline actions this long (a task runs up to it)',
    },
    {
      check: 'action memory limit',
      have: limits.maxActionMemoryMB,
      need: needs.actionMemoryMB,
      unit: ' MB',
      helmKey: 'whisk.limits.actions.memory.max',
      helmValue: `${needs.actionMemoryMB}m`,
      why: 'the manifest gives `reduce` this much',
    },
  ];
  for (const row of rows) {
    if (row.have === undefined) {
      findings.push({ check: row.check, verdict: 'warn', detail: `not published by this OpenWhisk; needs at least ${row.need}${row.unit}: ${row.why}` });
    } else if (row.have < row.need) {
      helm[row.helmKey] = row.helmValue;
      findings.push({
        check: row.check,
        verdict: 'fail',
        detail: `${row.have}${row.unit}, too small: needs at least ${row.need}${row.unit}: ${row.why}`,
        fix: [`raise ${row.helmKey} to ${row.helmValue} (Helm values below)`],
      });
    } else {
      findings.push({ check: row.check, verdict: 'ok', detail: `${row.have}${row.unit} (needs ${row.need}${row.unit})` });
    }
  }
  return { findings, helm };
}
