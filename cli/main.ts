// The `supercompute` command line. Each sub-command lives in its own module under cli/commands/.
import { Command } from 'commander';

const program = new Command();
program.name('supercompute').description('An on-demand supercomputer built out of Apache OpenWhisk.');

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
