// Help texts that need the kernels or the benchmarks, which the CLI otherwise loads only when a command runs them:
// built only when help is asked for.
import type { AnyKernel } from '../kernels/types.ts';

export interface HelpTexts {
  /** `run --help`: the kernels and their parameters (only the named one for `run KERNEL --help`). */
  kernels?: string;
  /** `bench --help`: the benchmarks. */
  benchmarks?: string;
}

/** True when the command line asks for help (`--help`, `-h`, `help CMD`) rather than for work. */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end < 0 ? args : args.slice(0, end);
  return options.includes('--help') || options.includes('-h') || options[0] === 'help';
}

export function describeKernels(kernels: Record<string, AnyKernel>, only?: string): string {
  const names = only !== undefined && Object.hasOwn(kernels, only) ? [only] : Object.keys(kernels);
  const lines = ['', only !== undefined && names.length === 1 ? 'Kernel:' : 'Kernels and their parameters (-p NAME=VALUE):'];
  for (const name of names) {
    const kernel = kernels[name];
    lines.push(`  ${name}  ${kernel.description}`);
    const params = Object.entries(kernel.params ?? {});
    const width = Math.max(0, ...params.map(([p]) => p.length));
    for (const [param, what] of params) lines.push(`      ${param.padEnd(width)}  ${what}`);
  }
  return lines.join('\n');
}

/** The help texts this command line shows, loading only what they need. */
export async function helpTextsFor(args: readonly string[]): Promise<HelpTexts> {
  if (!asksForHelp(args)) return {};
  const texts: HelpTexts = {};
  const run = args.indexOf('run');
  if (run >= 0) {
    const { kernels } = await import('../kernels/index.ts');
    const named = args.slice(run + 1).find((a) => !a.startsWith('-'));
    texts.kernels = describeKernels(kernels, named);
  }
  if (args.includes('bench')) {
    const { benchmarks, defaultBenchmarks } = await import('../bench/index.ts');
    const width = Math.max(...Object.keys(benchmarks).map((n) => n.length));
    texts.benchmarks = [
      '',
      `Benchmarks (default: ${defaultBenchmarks.join(', ')}; --quick for a short run; reports go to bench/results/):`,
      ...Object.entries(benchmarks).map(([name, b]) => `  ${name.padEnd(width)}  ${b.describe}`),
    ].join('\n');
  }
  return texts;
}
