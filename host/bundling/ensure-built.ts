// Building the actions when a deploy needs them and they are not built yet.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll, buildDir, repoRoot } from './build-actions.ts';

export const defaultManifest = join(repoRoot, 'manifest.yaml');

export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  if (existsSync(join(buildDir, 'actions'))) return;
  log('building the actions (build/actions is missing)...');
  await buildAll();
}
