// Modules imported with `?browser` (`import client from './x.ts?browser'`) come in as the text of a bundle for the
// browser: the module and its imports in one plain script. The dashboard's page is built so, from the same drawing code
// the `status` action runs. Used by the build's bundler (esbuild plugin) and by vitest (Vite plugin).
import { build, type Plugin } from 'esbuild';
import { dirname, resolve } from 'node:path';

const SUFFIX = '?browser';

/** The module at `file` and everything it imports, as one minified script for any current browser. */
export async function browserBundle(file: string): Promise<string> {
  const out = await build({
    entryPoints: [file],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.text;
}

/** `export default "<the bundle>"`, closing-script-safe so the text can sit in an inline `<script>`. */
export async function browserModule(file: string): Promise<string> {
  const text = (await browserBundle(file)).replace(/<\/script/gi, '<\\/script');
  return `export default ${JSON.stringify(text)};\n`;
}

export const browserScripts: Plugin = {
  name: 'browser',
  setup(b) {
    b.onResolve({ filter: /\?browser$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -SUFFIX.length)), namespace: 'browser' }));
    b.onLoad({ filter: /.*/, namespace: 'browser' }, async (args) => ({ contents: await browserModule(args.path), loader: 'js', resolveDir: dirname(args.path) }));
  },
};

/** The same for Vite (vitest): resolve `x.ts?browser` next to its importer, load it as the bundle's text. */
export const viteBrowserScripts = {
  name: 'browser',
  resolveId(id: string, importer?: string) {
    if (!id.endsWith(SUFFIX) || !importer) return undefined;
    return resolve(dirname(importer), id.slice(0, -SUFFIX.length)) + SUFFIX;
  },
  load(id: string) {
    return id.endsWith(SUFFIX) ? browserModule(id.slice(0, -SUFFIX.length)) : undefined;
  },
};
