// `supercompute bench`: hands over to bench/index.ts, which owns the benchmarks and their options.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { repoRoot } from '../../host/bundling/build-actions.ts';

type BenchMain = (argv: string[]) => unknown;

/** `benchmarks`: the list `bench --help` shows (built only when help is asked for). */
export function registerBench(program: Command, benchmarks?: string): void {
  const command = program
    .command('bench')
    .description('run the benchmarks (bench/index.ts): bench [NAME...] [--quick] [--publish]; reports in build/bench-results/, or bench/results/ with --publish')
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', 'passed to the benchmark')
    .action(async (args: string[]) => {
      const file = join(repoRoot, 'bench', 'index.ts');
      if (!existsSync(file)) throw new Error('no benchmarks here yet (bench/index.ts is missing)');
      const mod = (await import(pathToFileURL(file).href)) as { main?: BenchMain; default?: BenchMain };
      const main = mod.main ?? mod.default;
      if (typeof main !== 'function') throw new Error('bench/index.ts exports no main(argv) function');
      const code = await main(args);
      if (typeof code === 'number') process.exitCode = code;
    });
  if (benchmarks) command.addHelpText('after', benchmarks);
}
