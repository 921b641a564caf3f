// `supercompute kernel deploy FILE | list | remove NAME`: users' kernels on the target (host/kernels/). A deployed kernel
// is run like a built-in one: `supercompute run NAME`, the `supercompute` action, its web URL, the compositions.
import type { Command } from 'commander';
import { createClient, resolveTarget, type TargetFlags } from '../target.ts';
import { deployBuiltinKernels, deployKernel, listKernels, removeKernel } from '../../host/kernels/deploy.ts';

type Flags = TargetFlags & { json?: boolean; name?: string; force?: boolean; builtins?: boolean };

export function registerKernel(program: Command): void {
  const kernel = program.command('kernel').description("deploy, list and remove kernels: a module whose default export is a kernel (see README, 'Your own kernels')");

  kernel
    .command('deploy')
    .description('bundle a kernel module (TypeScript or JavaScript; its npm imports are bundled) and deploy it as a new version')
    .argument('[file]', 'the kernel module')
    .option('--name <name>', "deploy under this name instead of the module's")
    .option('--force', "replace a built-in kernel of the same name")
    .option('--builtins', 'deploy the built-in kernels (what `supercompute deploy` does after the manifest)')
    .option('--json', 'print the answer as JSON')
    .action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const ow = createClient(resolveTarget(flags));
      if (flags.builtins) {
        const all = await deployBuiltinKernels(ow);
        if (flags.json) console.log(JSON.stringify(all));
        else for (const k of all) console.log(`deployed kernel ${k.name} version ${k.version}`);
        return;
      }
      if (!file) throw new Error('kernel deploy: give the kernel module FILE (or --builtins)');
      const k = await deployKernel(ow, file, { ...(flags.name ? { name: flags.name } : {}), force: flags.force === true });
      if (flags.json) console.log(JSON.stringify(k));
      else console.log(`deployed kernel ${k.name} version ${k.version} (${k.actions.join(', ')})${k.pruned.length ? `; pruned ${k.pruned.join(', ')}` : ''}`);
    });

  kernel
    .command('list')
    .description('the deployed kernels: built-in and yours, current version, when deployed, description, parameters')
    .option('--json', 'print the list as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const all = await listKernels(createClient(resolveTarget(flags)));
      if (flags.json) {
        console.log(JSON.stringify(all));
        return;
      }
      if (all.length === 0) console.log('no kernels deployed (supercompute deploy deploys the built-in ones)');
      for (const k of all) {
        const older = k.versions > 1 ? `, ${k.versions - 1} older kept for running jobs` : '';
        console.log(`${k.name}  ${k.builtin ? 'built-in' : 'user'}  version ${k.version}  deployed ${new Date(k.deployedAt).toISOString()}${older}`);
        console.log(`  ${k.description}`);
        for (const [param, doc] of Object.entries(k.params)) console.log(`    ${param}: ${doc}`);
      }
    });

  kernel
    .command('remove')
    .description('remove a kernel, every version (jobs still running on it fail); built-in kernels need --force')
    .argument('<name>', 'the kernel')
    .option('--force', 'remove a built-in kernel')
    .option('--json', 'print the answer as JSON')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const r = await removeKernel(createClient(resolveTarget(flags)), name, { force: flags.force === true });
      if (flags.json) console.log(JSON.stringify(r));
      else console.log(`removed kernel ${name} (${r.removed.length} actions)`);
    });
}
