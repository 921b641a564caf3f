// Reads the `wsk` CLI's property file (`~/.wskprops`, or the file named by WSK_CONFIG_FILE).
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface WskProps {
  APIHOST?: string;
  AUTH?: string;
  NAMESPACE?: string;
  [key: string]: string | undefined;
}

/** Parses `KEY=value` lines; `#` comments, blank lines and lines without `=` are skipped; the last duplicate wins. */
export function parseWskprops(text: string): WskProps {
  const props: WskProps = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    props[key] = value;
  }
  return props;
}

/** The property file `wsk` would read: WSK_CONFIG_FILE if set, else ~/.wskprops. */
export function wskpropsPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.WSK_CONFIG_FILE;
  if (configured && configured.trim() !== '') return configured;
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.wskprops');
}

/** The parsed property file, or `{}` when there is none. */
export function readWskprops(env: NodeJS.ProcessEnv = process.env): { path: string; props: WskProps; found: boolean } {
  const path = wskpropsPath(env);
  if (!existsSync(path)) return { path, props: {}, found: false };
  return { path, props: parseWskprops(readFileSync(path, 'utf8')), found: true };
}
