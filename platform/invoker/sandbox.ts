// What a container process may touch: Node's permission model confines its file system access to the runtime, the
// packages next to it and the container's own directory, and a heap cap bounds its JavaScript memory. The process
// itself still shares the machine's kernel, network and user with the platform (see the README's "What runs where").
import fs from 'node:fs';
import path from 'node:path';
import { imageModulesDir } from '../runtime/options.ts';

/** Node's flags for a container running `runtimePath`, with `dir` its private, writable directory. */
export function sandboxFlags(runtimePath: string, dir: string, memoryMB: number): string[] {
  const image = imageModulesDir(path.dirname(runtimePath));
  const readable = [path.dirname(runtimePath), ...packageDirs(path.dirname(runtimePath)), ...(image ? [image] : []), dir];
  return [
    '--experimental-permission',
    ...unique(readable.flatMap(withRealPath)).map((p) => `--allow-fs-read=${p}`),
    ...withRealPath(dir).map((p) => `--allow-fs-write=${p}`),
    // Zip actions may ship native addons (their own code, run outside the permission model's reach, as any addon is);
    // worker threads inherit the process's permissions. Child processes would not, so they stay refused.
    '--allow-addons',
    '--allow-worker',
    // The model's own start-up notices would otherwise open the first activation's logs.
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    `--max-old-space-size=${memoryMB}`,
  ];
}

/** Every `node_modules` the runtime's `require` would search from `from`, as Node's resolution walks up. */
function packageDirs(from: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(candidate)) dirs.push(candidate);
    if (path.dirname(dir) === dir) return dirs;
  }
}

/** The path, and where it leads when it is (or passes through) a symlink: `require` reads packages by their real path. */
function withRealPath(p: string): string[] {
  try {
    const real = fs.realpathSync(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}
