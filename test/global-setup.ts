import { buildAll } from '../scripts/build.ts';

export default async function setup(): Promise<void> {
  await buildAll();
}
