// `supercompute doctor [--tasks N]`: checks the target before a big job, says what to fix, and exits 1 when the job
// would not run (host/doctor/).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { positiveInt } from '../params.ts';
import { runDoctor } from '../../host/doctor/doctor.ts';
import type { Finding, HelmValues } from '../../host/doctor/finding.ts';

interface DoctorFlags extends TargetFlags {
  tasks?: string;
  manifest: string;
  json?: boolean;
}

const LABEL: Record<Finding['verdict'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** `{"a.b.c": 1}` as `{a: {b: {c: 1}}}`, for YAML. */
function nested(values: HelmValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check a target before a big job: access, runtime, deployed actions, limits, Redis from the actions; says what to fix')
    .option('-t, --tasks <n>', 'check the limits against a job of this many tasks')
    .option('-m, --manifest <file>', 'the manifest whose actions should be deployed', 'manifest.yaml')
    .option('--json', 'print the findings as one JSON object')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 the job would run (warnings may say how it could run better), 1 it would not: see the FAIL lines.',
        'Limits found too small come with the Helm values (openwhisk-deploy-kube) that raise them; docs/SCALING.md explains them.',
      ].join('\n'),
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<DoctorFlags>();
      const tasks = positiveInt('--tasks', flags.tasks);
      const target = resolveTarget(flags);
      const report = await runDoctor({ target, client: createClient(target), tasks, manifest: flags.manifest });
      if (flags.json) {
        console.log(JSON.stringify({ apihost: target.apihost, tasks, ...report }));
      } else {
        for (const f of report.findings) {
          console.log(`${LABEL[f.verdict]}  ${f.check}: ${f.detail}`);
          for (const step of f.fix ?? []) console.log(`        fix: ${step}`);
        }
        if (Object.keys(report.helm).length > 0) {
          console.log('\nHelm values to raise (openwhisk-deploy-kube, e.g. in mycluster.yaml; see docs/SCALING.md):\n');
          console.log(stringify(nested(report.helm)).trimEnd().replace(/^/gm, '  '));
        }
        console.log(report.ok ? '\nready: a job would run here' : '\nnot ready: a job would not run here; fix the FAIL lines above');
      }
      process.exitCode = report.ok ? 0 : 1;
    });
}
