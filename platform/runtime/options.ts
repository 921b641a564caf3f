// What the platform tells the runtime through a container's environment, beyond OpenWhisk's own variables, and where
// the runtime finds the image's modules.
import fs from 'node:fs';
import path from 'node:path';

/** "true": composer-generated conductor code gets redis 3 for `require('redis')` (the platform's `composerRedis3`). */
export const COMPOSER_REDIS3_ENV = 'SUPERCOMPUTE_COMPOSER_REDIS3';

/**
 * The modules of the official nodejs:20 image (platform/runtime/image/package.json, installed there by `npm ci`): the
 * only packages an action resolves without bundling them, found from `from` (the runtime's or the platform's folder)
 * up to the repository root; undefined when they are not installed.
 */
export function imageModulesDir(from: string): string | undefined {
  for (let at = from; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'platform', 'runtime', 'image', 'node_modules');
    if (fs.existsSync(path.join(candidate, 'openwhisk'))) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

export const IMAGE_MODULES_MISSING =
  "the nodejs:20 image's modules are not installed in platform/runtime/image/node_modules: run `npm ci` (its postinstall installs them)";
