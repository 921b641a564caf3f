import { buildAll } from '../scripts/build.ts';
import { buildLibraryBundle } from '../scripts/build-library.ts';
import { buildCli } from '../scripts/build-cli.ts';

export default async function setup(): Promise<void> {
  await Promise.all([buildAll(), buildLibraryBundle(), buildCli()]);
}
