import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { luaModule } from './host/bundling/lua-source.ts';
import { WATCHDOG_THREAD, watchdogThreadSource } from './host/bundling/thread-source.ts';
import { viteBrowserScripts } from './host/bundling/browser-bundle.ts';

/**
 * The files that take longest, started first: with few at a time, a long file started last runs alone at the end (on a
 * fresh clone vitest has no durations and starts larger files first, and these are small).
 */
const LONGEST = ['cli-deadlines', 'faults-push-mode', 'faults-shuffle', 'faults-pull-mode', 'pipeline-pull'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((name) => f.moduleId.endsWith(`/${name}.test.ts`));
      return i < 0 ? LONGEST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  // The job store imports its Lua scripts as text, the dashboard its page's script as a browser bundle, and the kernel
  // runtime its watchdog thread as its bundled script's text, as the build's bundler does.
  plugins: [
    { name: 'lua', load: (id: string) => (id.endsWith('.lua') ? luaModule(id) : undefined) },
    {
      name: 'watchdog-thread',
      resolveId: (id: string) => (id === WATCHDOG_THREAD ? `\0${WATCHDOG_THREAD}` : undefined),
      load: async (id: string) => (id === `\0${WATCHDOG_THREAD}` ? `export default ${JSON.stringify(await watchdogThreadSource())};` : undefined),
    },
    viteBrowserScripts,
  ],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A backstop only: waits on jobs fail when a job stops making progress (host/jobs/wait-for-progress.ts), so a test that
    // is merely slow on a busy machine may take longer than it would alone.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Test files start their own platform instances and child processes. Three at a time on two cores: the longest files
    // mostly wait (on a command's deadline, a lease, a task's time limit), and a third file's work fills those waits
    // (the whole suite on this project's 2-core machine: 633 s two at a time, 516 s three at a time, cores 91% busy).
    maxWorkers: 3,
    minWorkers: 1,
    sequence: { sequencer: LongestFirst },
  },
});
