// `supercompute doctor`: checks a target before a big job and says what to fix. In order: the API host answers and
// takes the key; it runs nodejs:20; the pipeline's actions are deployed and are the code in build/; the namespace's
// limits fit the pipeline and the job; Redis answers from inside an action container. A check that cannot run
// because an earlier one failed is skipped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type openwhisk from 'openwhisk';
import { readDeployment } from '../manifest/deploy-pipeline.ts';
import type { DeploymentPlan, PlannedAction } from '../manifest/deployment.ts';
import { invokeAction } from '../jobs/invoke.ts';
import { ENTRY_ACTION } from '../jobs/submit.ts';
import { statusCodeOf } from '../../pipeline/openwhisk/ow-error.ts';
import type { Finding, HelmValues } from './finding.ts';
import { judgeLimits, limitsOf } from './limits.ts';
import { isLocalTarget } from '../target/target.ts';
import { getJson, infoDocument, isDict, runtimeKinds, type TargetAccess } from './target-info.ts';

export const RUNTIME_KIND = 'nodejs:20';
export const PROBE_ACTION = 'probe';
const DEFAULT_MAX_WORKERS = 1000;
const PROBE_DEADLINE_MS = 60_000;

export interface DoctorOptions {
  target: TargetAccess;
  client: openwhisk.Client;
  /** The job's size to check the limits against. */
  tasks?: number;
  manifest?: string;
}

export interface DoctorReport {
  findings: Finding[];
  /** Helm values (openwhisk-deploy-kube) that would raise the limits found too small. */
  helm: HelmValues;
  /** False when a job would not run: some finding is `fail`. */
  ok: boolean;
}

type Deployed = { kind?: string; code?: string; parameters: Record<string, unknown> } | 'missing' | { error: string };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function reachable(target: TargetAccess): Promise<Finding> {
  const check = 'reachable and authenticated';
  const reply = await getJson(target, '/api/v1/namespaces');
  if ('error' in reply) {
    return {
      check,
      verdict: 'fail',
      detail: `no answer from ${target.apihost}: ${reply.error}`,
      fix: ['start it (`supercompute platform` for the embedded one) or point at it with --apihost or __OW_API_HOST'],
    };
  }
  if (reply.status === 401 || reply.status === 403) {
    return {
      check,
      verdict: 'fail',
      detail: `${target.apihost} refused the key (HTTP ${reply.status})`,
      fix: ["give the namespace's key with --auth or __OW_API_KEY (`wsk property get --auth` shows wsk's)"],
    };
  }
  if (reply.status !== 200) return { check, verdict: 'fail', detail: `${target.apihost} answered HTTP ${reply.status} to GET /api/v1/namespaces` };
  const names = Array.isArray(reply.body) ? reply.body.join(', ') : '?';
  return { check, verdict: 'ok', detail: `${target.apihost}, namespace ${names}` };
}

async function deployedActions(client: openwhisk.Client, plan: DeploymentPlan): Promise<Map<string, Deployed>> {
  const out = new Map<string, Deployed>();
  await Promise.all(
    plan.actions.map(async (action) => {
      try {
        const got = (await client.actions.get({ name: action.name, code: true } as { name: string })) as unknown as {
          exec?: { kind?: string; code?: string };
          parameters?: { key: string; value: unknown }[];
        };
        const parameters = Object.fromEntries((got.parameters ?? []).map((p) => [p.key, p.value]));
        out.set(action.name, { kind: got.exec?.kind, code: got.exec?.code, parameters });
      } catch (err) {
        out.set(action.name, statusCodeOf(err) === 404 ? 'missing' : { error: err instanceof Error ? err.message : String(err) });
      }
    }),
  );
  return out;
}

function runtimeFinding(info: Record<string, unknown> | undefined, deployed: Map<string, Deployed>): Finding {
  const check = `${RUNTIME_KIND} runtime`;
  const kinds = runtimeKinds(info);
  if (kinds !== undefined) {
    if (kinds.includes(RUNTIME_KIND)) return { check, verdict: 'ok', detail: 'listed by the API host' };
    return {
      check,
      verdict: 'fail',
      detail: `not among the API host's runtimes (${kinds.join(', ') || 'none'})`,
      fix: [`add ${RUNTIME_KIND} to the runtimes manifest of the OpenWhisk installation (runtimes.json, the Helm chart's runtimesManifest)`],
    };
  }
  const running = [...deployed.values()].some((d) => typeof d === 'object' && 'kind' in d && d.kind === RUNTIME_KIND);
  if (running) return { check, verdict: 'ok', detail: `the API host lists no runtimes, but deployed actions run on ${RUNTIME_KIND}` };
  return { check, verdict: 'warn', detail: `the API host lists no runtimes and no deployed action shows one; \`supercompute deploy\` will tell` };
}

function localCode(action: PlannedAction): string | undefined {
  const { exec } = action;
  if ('components' in exec || !exec.source || exec.source.type !== 'file') return undefined;
  return readFileSync(exec.source.path, 'utf8');
}

function actionsFinding(plan: DeploymentPlan, deployed: Map<string, Deployed>): Finding {
  const check = 'pipeline actions deployed and current';
  const missing: string[] = [];
  const stale: string[] = [];
  const unreadable: string[] = [];
  for (const action of plan.actions) {
    const got = deployed.get(action.name);
    if (got === undefined || got === 'missing') {
      missing.push(action.name);
      continue;
    }
    if ('error' in got) {
      unreadable.push(`${action.name} (${got.error})`);
      continue;
    }
    const code = localCode(action);
    const kind = 'kind' in action.exec ? action.exec.kind : undefined;
    if ((kind !== undefined && got.kind !== kind) || (code !== undefined && (got.code === undefined || sha256(got.code) !== sha256(code)))) {
      stale.push(action.name);
    }
  }
  const problems = [
    missing.length > 0 ? `not deployed: ${missing.join(', ')}` : '',
    stale.length > 0 ? `differ from build/ (sha256 of the code): ${stale.join(', ')}` : '',
    unreadable.length > 0 ? `could not be read: ${unreadable.join(', ')}` : '',
  ].filter((p) => p !== '');
  if (problems.length === 0) return { check, verdict: 'ok', detail: `${plan.actions.length} actions, the same code as build/` };
  return { check, verdict: 'fail', detail: problems.join('; '), fix: ['`npm run build`, then `supercompute deploy` (with -p redisUrl=... for the Redis the actions use)'] };
}

function tasksFinding(tasks: number, entry: Deployed | undefined): Finding | undefined {
  if (entry === undefined || typeof entry !== 'object' || !('parameters' in entry)) return undefined;
  const maxTasks = entry.parameters.maxTasks;
  if (typeof maxTasks !== 'number' || tasks <= maxTasks) return undefined;
  return {
    check: 'job size',
    verdict: 'fail',
    detail: `${tasks} tasks is more than the deployment's maxTasks (${maxTasks})`,
    fix: [`deploy with -p maxTasks=${tasks}`],
  };
}

async function redisFinding(client: openwhisk.Client, deployed: Deployed | undefined, apihost: string): Promise<Finding> {
  const check = 'Redis from inside an action';
  if (deployed === undefined || deployed === 'missing') {
    return { check, verdict: 'skip', detail: `the ${PROBE_ACTION} action is not deployed (see above)` };
  }
  // An OpenWhisk on this machine (the embedded platform) reaches a Redis here; a cluster needs one of its own.
  const fix = isLocalTarget({ apihost })
    ? [
        'start Redis on this machine: `redis-server` (Debian: `apt-get install redis-server`); `supercompute run` starts a private one when it is installed',
        'or deploy with the Redis you have: `supercompute deploy -p redisUrl=redis://HOST:6379` (or REDIS_URL=...)',
      ]
    : [
        'deploy with a redisUrl that action containers reach: `supercompute deploy -p redisUrl=redis://HOST:6379` (or REDIS_URL=...)',
        'on Kubernetes: a Redis Service in the cluster (e.g. redis://redis.NAMESPACE.svc:6379), not one on your machine',
      ];
  try {
    const answer = await invokeAction(client, PROBE_ACTION, {}, { deadline: Date.now() + PROBE_DEADLINE_MS });
    if (answer.ok === true) return { check, verdict: 'ok', detail: `PING answered${typeof answer.ms === 'number' ? ` in ${answer.ms} ms` : ''}` };
    const why = typeof answer.error === 'string' ? answer.error : JSON.stringify(answer).slice(0, 300);
    return { check, verdict: 'fail', detail: `unreachable from inside an action container: ${why.replace(/^Redis is unreachable: /, '')}`, fix };
  } catch (err) {
    return { check, verdict: 'fail', detail: `the ${PROBE_ACTION} action did not answer: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const findings: Finding[] = [];
  let helm: HelmValues = {};
  const report = (): DoctorReport => ({ findings, helm, ok: findings.every((f) => f.verdict !== 'fail') });

  const reach = await reachable(options.target);
  findings.push(reach);
  if (reach.verdict === 'fail') {
    for (const check of [`${RUNTIME_KIND} runtime`, 'pipeline actions deployed and current', 'limits', 'Redis from inside an action']) {
      findings.push({ check, verdict: 'skip', detail: 'the API host must answer first' });
    }
    return report();
  }

  const plan = await readDeployment({ manifest: options.manifest });
  const [info, deployed, namespaceLimits] = await Promise.all([
    infoDocument(options.target),
    deployedActions(options.client, plan),
    getJson(options.target, '/api/v1/namespaces/_/limits'),
  ]);
  findings.push(runtimeFinding(info, deployed));
  findings.push(actionsFinding(plan, deployed));

  const entry = deployed.get(ENTRY_ACTION);
  const entryParams = typeof entry === 'object' && 'parameters' in entry ? entry.parameters : {};
  const limits = limitsOf('status' in namespaceLimits && namespaceLimits.status === 200 && isDict(namespaceLimits.body) ? namespaceLimits.body : undefined, info);
  const judged = judgeLimits(limits, {
    actionTimeoutMs: Math.max(0, ...plan.actions.map((a) => a.limits.timeout ?? 0)),
    actionMemoryMB: Math.max(0, ...plan.actions.map((a) => a.limits.memory ?? 0)),
    tasks: options.tasks,
    maxWorkers: typeof entryParams.maxWorkers === 'number' && entryParams.maxWorkers > 0 ? entryParams.maxWorkers : DEFAULT_MAX_WORKERS,
  });
  findings.push(...judged.findings);
  helm = judged.helm;
  if (options.tasks !== undefined) {
    const size = tasksFinding(options.tasks, entry);
    if (size) findings.push(size);
  }

  findings.push(await redisFinding(options.client, deployed.get(PROBE_ACTION), options.target.apihost));
  return report();
}
