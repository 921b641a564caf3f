// The catalog every OpenWhisk deployment has in its system namespace, installed when the platform starts: the
// public packages `utils` (Apache's openwhisk-catalog utilities) and `alarms` (the feeds of openwhisk-package-alarms,
// served by the provider in platform/alarms/). The actions are our own code, bundled by `npm run build` into
// build/catalog/. Composer's fork/join also relies on `/whisk.system/utils/echo` when its wait times out.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SYSTEM_NAMESPACE } from '../config.ts';
import type { EntityStore, KeyValue } from '../store/entities.ts';

const catalogDir = fileURLToPath(new URL('../../build/catalog/', import.meta.url));

interface CatalogAction {
  description: string;
  /** Parameters as OpenWhisk's catalog annotates them (`parameters` annotation). */
  parameters?: { name: string; required: boolean; description?: string }[];
  feed?: boolean;
}

interface CatalogPackage {
  description: string;
  actions: Record<string, CatalogAction>;
}

const lines = { name: 'lines', required: true, description: 'An array of strings' };

export const CATALOG: Record<string, CatalogPackage> = {
  utils: {
    description: 'Building blocks that format and assemble data',
    actions: {
      echo: { description: 'Returns the input' },
      cat: { description: 'Concatenates input into a string', parameters: [lines] },
      sort: { description: 'Sorts an array', parameters: [lines] },
      head: {
        description: 'Extracts the head of an array',
        parameters: [lines, { name: 'num', required: false, description: 'The number of elements to take (default 1)' }],
      },
      split: {
        description: 'Splits a string into an array of strings',
        parameters: [
          { name: 'payload', required: true, description: 'A string' },
          { name: 'separator', required: false, description: 'The separator (default: line breaks)' },
        ],
      },
      date: { description: 'Current date and time' },
      namespace: { description: 'Returns the namespace the action runs in' },
      hosturl: {
        description: 'Returns the URL to activate an action or trigger',
        parameters: [
          { name: 'path', required: false, description: 'The action: name or pkg/name' },
          { name: 'web', required: false, description: 'true for the web action URL' },
          { name: 'ext', required: false, description: 'The web URL extension (default .json)' },
          { name: 'trigger', required: false, description: 'true for a trigger URL' },
        ],
      },
    },
  },
  alarms: {
    description: 'Alarms and periodic utility',
    actions: {
      alarm: {
        description: 'Fire trigger when alarm occurs',
        feed: true,
        parameters: [
          { name: 'cron', required: true, description: 'UNIX crontab syntax for firing the trigger: 5 fields, or 6 with seconds first' },
          { name: 'timezone', required: false },
          { name: 'trigger_payload', required: false },
          { name: 'startDate', required: false },
          { name: 'stopDate', required: false },
        ],
      },
      once: {
        description: 'Fire trigger once when alarm occurs',
        feed: true,
        parameters: [
          { name: 'date', required: true, description: 'Date and time of the one fire' },
          { name: 'trigger_payload', required: false },
          { name: 'deleteAfterFire', required: false, description: 'false (default), true (the trigger) or rules' },
        ],
      },
      interval: {
        description: 'Fire trigger at specified interval',
        feed: true,
        parameters: [
          { name: 'minutes', required: true, description: 'Minutes between fires' },
          { name: 'trigger_payload', required: false },
          { name: 'startDate', required: false },
          { name: 'stopDate', required: false },
        ],
      },
    },
  },
};

export function installCatalog(store: EntityStore, dir = catalogDir): void {
  const now = Date.now();
  const base = { version: '0.0.1', publish: true, updated: now };
  for (const [pkg, spec] of Object.entries(CATALOG)) {
    store.packages.put(`/${SYSTEM_NAMESPACE}/${pkg}`, {
      ...base,
      namespace: SYSTEM_NAMESPACE,
      name: pkg,
      binding: {},
      parameters: [],
      annotations: [{ key: 'description', value: spec.description }],
    });
    for (const [name, action] of Object.entries(spec.actions)) {
      const file = `${dir}${pkg}/${name}.js`;
      if (!existsSync(file)) throw new Error(`the catalog action ${pkg}/${name} is not built (${file}): run \`npm run build\``);
      const annotations: KeyValue[] = [{ key: 'description', value: action.description }];
      if (action.parameters) annotations.push({ key: 'parameters', value: action.parameters });
      if (action.feed) annotations.push({ key: 'feed', value: true });
      annotations.push({ key: 'exec', value: 'nodejs:20' });
      store.actions.put(`/${SYSTEM_NAMESPACE}/${pkg}/${name}`, {
        ...base,
        namespace: `${SYSTEM_NAMESPACE}/${pkg}`,
        name,
        exec: { kind: 'nodejs:20', code: readFileSync(file, 'utf8'), binary: false },
        parameters: [],
        limits: { timeout: 60_000, memory: 256, logs: 10, concurrency: 1 },
        annotations,
      });
    }
  }
}
