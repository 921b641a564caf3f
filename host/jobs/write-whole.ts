// Files written whole or not at all: into a temporary file beside the target, then renamed over it.
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes `data` to `file` whole: into a temporary file beside it, then renamed over it. */
export function writeWhole(file: string, data: string | Buffer): void {
  const temporary = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
