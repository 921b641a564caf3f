import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../host/bundling/build-actions.ts';
import { buildLibraryBundle } from '../scripts/build-library.ts';
import { buildCli } from '../scripts/build-cli.ts';

export default async function setup(): Promise<() => void> {
  // Platforms started with a key of their own generate a whisk.system key and keep it in their data folder: during
  // tests, a folder of the run's (the test workers and the processes they start inherit it), not the user's.
  const dataDir = mkdtempSync(join(tmpdir(), 'supercompute-test-platform-'));
  process.env.SUPERCOMPUTE_PLATFORM_DATA_DIR ??= dataDir;
  await Promise.all([buildAll(), buildLibraryBundle(), buildCli()]);
  return () => rmSync(dataDir, { recursive: true, force: true });
}
