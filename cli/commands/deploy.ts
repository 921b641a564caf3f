// `supercompute deploy`: the wskdeploy manifest to the embedded platform or any OpenWhisk.
import type { Command } from 'commander';
import { createClient, isLocalTarget, resolveTarget, type TargetFlags } from '../target.ts';
import { collect, parseParams } from '../params.ts';
import { deployManifest, readDeployment } from '../../host/manifest/deploy-pipeline.ts';
import { summarize } from '../deploy-summary.ts';
import { pingRedis } from '../../host/local/redis-server.ts';

interface DeployFlags extends TargetFlags {
  manifest?: string;
  param: string[];
  dryRun?: boolean;
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('deploy the manifest (actions, trigger, rule); builds the actions first if build/actions is missing')
    .option('-m, --manifest <file>', 'wskdeploy manifest', 'manifest.yaml')
    .option('-p, --param <key=value>', 'default parameter for every action, e.g. redisUrl=redis://host:6379 (repeatable)', collect, [])
    .option('--dry-run', 'print the deployment plan as JSON and deploy nothing')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<DeployFlags>();
      const params = parseParams(flags.param);
      // REDIS_URL names the Redis for everything the CLI starts; a manifest's redisUrl follows it unless given here.
      if (params.redisUrl === undefined && process.env.REDIS_URL) params.redisUrl = process.env.REDIS_URL;
      const log = (line: string): void => console.error(line);

      if (flags.dryRun) {
        console.log(JSON.stringify(await readDeployment({ manifest: flags.manifest, params, log }), null, 2));
        return;
      }
      const target = resolveTarget(flags);
      log(`deploying ${flags.manifest} to ${target.apihost} (namespace ${target.namespace})`);
      const { plan, events } = await deployManifest(createClient(target), { manifest: flags.manifest, params, log });
      console.log(`deployed ${summarize(events)}`);

      const redisUrl = plan.actions.map((a) => a.parameters.redisUrl).find((u): u is string => typeof u === 'string');
      if (redisUrl && isLocalTarget(target) && !(await pingRedis(redisUrl))) {
        log(
          `note: no Redis answers at ${redisUrl} yet; \`supercompute run\` starts a private one there if redis-server is installed`,
        );
      }
    });
}
