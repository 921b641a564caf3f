// The whisk.system namespace's key. OpenWhisk standalone ships a published one beside its published guest key; once
// an operator sets their own guest key, a published system key would hand anyone the catalog's namespace (and with it
// rules, packages and web calls of its own). So, unless it is configured, that operator's platform generates one and
// keeps it in its data folder, readable by its owner only, as OpenWhisk's deployment keeps `auth.whisk.system`.
import { randomBytes, randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The file in the platform's data folder that holds the generated key. */
export const SYSTEM_KEY_FILE = 'auth.whisk.system';

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[A-Za-z0-9]{64}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** "uuid:key" in OpenWhisk's shape (a UUID, a 64-character alphanumeric key). */
export function newAuthKey(): string {
  // 248 is the largest multiple of 62 below 256: bytes past it are dropped, so every character is equally likely.
  let key = '';
  while (key.length < 64) {
    for (const byte of randomBytes(96)) if (byte < 248 && key.length < 64) key += ALPHABET[byte % ALPHABET.length];
  }
  return `${randomUUID()}:${key}`;
}

/** The platform's data folder: $XDG_DATA_HOME/supercompute/platform, else ~/.local/share/supercompute/platform. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'supercompute', 'platform');
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.local', 'share', 'supercompute', 'platform');
}

/** The key kept in `dataDir`, made (mode 0600, in a folder of mode 0700) the first time. */
export function storedSystemKey(dataDir: string): string {
  const file = join(dataDir, SYSTEM_KEY_FILE);
  const kept = readKey(file);
  if (kept) return kept;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = newAuthKey();
  // Written whole under a name of its own, then linked into place: a platform starting at the same moment on the same
  // folder reads either no file or a whole one, and the first link wins.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot keep the whisk.system key in ${file}: ${(err as Error).message}`);
    return readKey(file)!;
  } finally {
    rmSync(draft, { force: true });
  }
}

function readKey(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!KEY.test(text)) throw new Error(`${file} does not hold a key ("uuid:key"); remove it to have a new one made`);
  return text;
}
