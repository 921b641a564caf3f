import { defineConfig } from 'vitest/config';
import { luaModule } from './scripts/lua-source.ts';

export default defineConfig({
  // The job store imports its Lua scripts as text, as the build's bundler does.
  plugins: [{ name: 'lua', load: (id: string) => (id.endsWith('.lua') ? luaModule(id) : undefined) }],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A backstop only: waits on jobs fail when a job stops making progress (host/wait-for-progress.ts), so a test that
    // is merely slow on a busy machine may take longer than it would alone.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Test files start their own platform instances and child processes; two cores, so run two at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
