// Help texts that need the kernels or the benchmarks, which the CLI otherwise loads only when a command runs them:
// built only when help is asked for.

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

/** What help shows of a kernel: the same for a deployed one (its annotations) and a built-in one (its module). */
export interface KernelHelp {
  name: string;
  description: string;
  params?: Readonly<Record<string, string>>;
}

export function describeKernels(kernels: readonly KernelHelp[], only?: string, from?: string): string {
  const named = kernels.filter((k) => k.name === only);
  const shown = named.length > 0 ? named : kernels;
  const heading = named.length > 0 ? 'Kernel' : 'Kernels and their parameters (-p NAME=VALUE)';
  const lines = ['', `${heading}${from ? `, ${from}` : ''}:`];
  for (const kernel of shown) {
    lines.push(`  ${kernel.name}  ${kernel.description}`);
    const params = Object.entries(kernel.params ?? {});
    const width = Math.max(0, ...params.map(([p]) => p.length));
    for (const [param, what] of params) lines.push(`      ${param.padEnd(width)}  ${what}`);
  }
  return lines.join('\n');
}

/** The value of `--flag VALUE` or `--flag=VALUE` on the command line. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1);
  }
  return undefined;
}

/** How long help waits for the target's kernel list before showing the built-in kernels instead, ms. */
const KERNEL_LIST_MS = 3000;

/**
 * The kernels `run` can run: those deployed on the target (users' kernels and their params included), or, when the
 * target does not answer in time, the built-in ones, saying so.
 */
async function kernelsForHelp(args: readonly string[]): Promise<{ kernels: KernelHelp[]; from: string }> {
  const { createClient, resolveTarget } = await import('../host/target/target.ts');
  const flags = { apihost: flagValue(args, '--apihost'), auth: flagValue(args, '--auth'), namespace: flagValue(args, '--namespace'), insecure: args.includes('--insecure') || args.includes('-i') };
  let apihost = flags.apihost ?? 'the target';
  try {
    const target = resolveTarget(Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined && v !== false)));
    apihost = target.apihost;
    const { listKernels } = await import('../host/kernels/deploy.ts');
    const deployed = await listKernels(createClient(target, { deadline: Date.now() + KERNEL_LIST_MS }));
    if (deployed.length > 0) return { kernels: deployed.sort((a, b) => a.name.localeCompare(b.name)), from: `as deployed on ${apihost}` };
  } catch {
    // Shown below: the built-in kernels, with why.
  }
  const { kernels } = await import('../kernels/index.ts');
  return { kernels: Object.values(kernels), from: `built in (${apihost} did not list its kernels; \`supercompute kernel list\` shows what it has)` };
}

/** The help texts this command line shows, loading only what they need. */
export async function helpTextsFor(args: readonly string[]): Promise<HelpTexts> {
  if (!asksForHelp(args)) return {};
  const texts: HelpTexts = {};
  const run = args.indexOf('run');
  if (run >= 0) {
    const named = args.slice(run + 1).find((a) => !a.startsWith('-'));
    const { kernels, from } = await kernelsForHelp(args);
    texts.kernels = describeKernels(kernels, named, from);
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
