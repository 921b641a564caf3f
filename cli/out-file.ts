// Files the CLI writes results to: checked before any work starts (so a bad path fails at once, not after the job),
// and written whole or not at all (a temporary file beside the target, renamed over it).
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { UsageError } from './params.ts';

/** The result formats `run --out` writes, by extension. */
export type ResultFormat = 'json' | 'png';

/** Throws unless `dir` is an existing directory this process may create files in. */
export function checkWritableDir(flag: string, dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${flag}: directory ${dir} does not exist`);
  }
  if (!isDir) throw new UsageError(`${flag}: ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: directory ${dir} is not writable`);
  }
}

/** Where `--out` writes, and as what. */
export interface ResultFile {
  file: string;
  format: ResultFormat;
}

/**
 * The file `--out FILE` writes and its format, from its extension: `.json`, or `.png` for a kernel whose result is an
 * image (`pngResult`; undefined when the kernel is not known here, which the job's own checks report; `kernel`
 * undefined for `status -o`, which does not know it yet). A FILE without an extension gets one: `.png` for an image
 * kernel, `.json` otherwise. Its directory must exist and be writable, and the file must not be a directory.
 */
export function resultFileOf(file: string, kernel: string | undefined, pngResult: boolean | undefined): ResultFile {
  const ext = extname(file).toLowerCase();
  if (ext !== '' && ext !== '.json' && !(ext === '.png' && pngResult !== false)) {
    const formats = pngResult === false ? '.json' : '.json, or .png for an image result';
    throw new UsageError(`--out ${file}: ${kernel === undefined ? 'results' : `kernel '${kernel}' results`} are written as ${formats}, not '${ext}'`);
  }
  const format: ResultFormat = ext === '.png' || (ext === '' && pngResult === true) ? 'png' : 'json';
  const named = ext === '' ? `${file}.${format}` : file;
  checkWritableDir('--out', dirname(resolve(named)));
  let isDir = false;
  try {
    isDir = statSync(named).isDirectory();
  } catch {
    // not there yet: fine
  }
  if (isDir) throw new UsageError(`--out ${named} is a directory`);
  return { file: named, format };
}

export { writeWhole } from '../host/jobs/write-whole.ts';
