// A deterministic bank for the 360° example: customers, their accounts, the accounts' transactions, insurance claims
// and contacts with the bank, as CSV files with a header line (transactions optionally as Parquet). Each table draws
// from its own seeded PRNG (mulberry32), so a seed and the sizes always give the same bytes, and growing one table
// leaves the others as they were.
//   npx tsx examples/customer-360/generate.ts DIR [--customers N] [--accounts N] [--transactions N] [--claims N]
//                                             [--contacts N] [--seed N] [--parquet]
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../transactions/generate.ts';

export interface Sizes {
  customers: number;
  accounts: number;
  transactions: number;
  claims: number;
  contacts: number;
}

export const DEFAULT_SIZES: Sizes = { customers: 1000, accounts: 2000, transactions: 50_000, claims: 300, contacts: 3000 };

export const TABLES = ['customers', 'accounts', 'transactions', 'claims', 'contacts'] as const;
export type TableName = (typeof TABLES)[number];

export const SEGMENTS = ['retail', 'retail', 'retail', 'premier', 'premier', 'private', 'business'] as const;
export const BRANCHES = ['Lisbon', 'Porto', 'Braga', 'Coimbra', 'Faro', 'Madrid', 'Sevilla', 'Valencia', 'Bilbao', 'Lyon', 'Nantes', 'Online'] as const;
export const ACCOUNT_TYPES = ['checking', 'checking', 'savings', 'credit_card', 'credit_card', 'mortgage', 'loan'] as const;
export const CATEGORIES = ['groceries', 'dining', 'travel', 'fuel', 'utilities', 'health', 'entertainment', 'shopping', 'education', 'cash'] as const;
export const CLAIM_TYPES = ['motor', 'home', 'travel', 'health'] as const;
export const CHANNELS = ['phone', 'email', 'branch', 'app', 'chat'] as const;
const ROUND_CENTS = [500, 1000, 2000, 2500, 5000, 10_000] as const;

/** A table's own random stream: the seed mixed with the table's place, so tables do not share draws. */
function streamOf(seed: number, table: TableName): { rand: () => number; pick: (n: number) => number; one: <T>(of: readonly T[]) => T } {
  const rand = mulberry32(Math.imul(seed, 0x9e3779b1) ^ (TABLES.indexOf(table) + 1) * 0x85ebca6b);
  const pick = (n: number) => Math.floor(rand() * n);
  return { rand, pick, one: (of) => of[pick(of.length)] };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const customerId = (i: number) => `C${pad(i, 7)}`;
export const accountId = (i: number) => `A${pad(i, 8)}`;

const DAY_MS = 86_400_000;
const EPOCH_2015 = Date.UTC(2015, 0, 1);
const EPOCH_2025 = Date.UTC(2025, 0, 1);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const timestampOf = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Each table's header and rows, drawn lazily. */
function* rowsOf(table: TableName, sizes: Sizes, seed: number): Generator<string> {
  const { rand, pick, one } = streamOf(seed, table);
  switch (table) {
    case 'customers':
      yield 'customer_id,segment,branch,joined_on';
      for (let i = 0; i < sizes.customers; i++) yield `${customerId(i)},${one(SEGMENTS)},${one(BRANCHES)},${dateOf(EPOCH_2015 + pick(3650) * DAY_MS)}`;
      return;
    case 'accounts':
      yield 'account_id,customer_id,type,opened_on';
      // Some customers hold several accounts, a few none.
      for (let i = 0; i < sizes.accounts; i++) yield `${accountId(i)},${customerId(pick(sizes.customers))},${one(ACCOUNT_TYPES)},${dateOf(EPOCH_2015 + pick(3650) * DAY_MS)}`;
      return;
    case 'transactions':
      yield 'transaction_id,account_id,booked_on,category,amount_cents';
      // A few accounts are busy, many are quiet.
      for (let i = 0; i < sizes.transactions; i++) {
        // Round amounts are common (so a customer's top categories sometimes tie); a few are large.
        const r = rand();
        const cents = r < 0.4 ? one(ROUND_CENTS) : r < 0.98 ? 1 + pick(20_000) : 1 + pick(500_000);
        yield `T${pad(i, 10)},${accountId(Math.floor(sizes.accounts * rand() ** 3))},${dateOf(EPOCH_2025 + pick(365) * DAY_MS)},${one(CATEGORIES)},${cents}`;
      }
      return;
    case 'claims':
      yield 'claim_id,customer_id,type,status,opened_on,amount_cents';
      for (let i = 0; i < sizes.claims; i++) {
        const status = rand() < 0.35 ? 'open' : 'closed';
        yield `K${pad(i, 8)},${customerId(pick(sizes.customers))},${one(CLAIM_TYPES)},${status},${dateOf(EPOCH_2025 - pick(730) * DAY_MS)},${100 * (1 + pick(50_000))}`;
      }
      return;
    case 'contacts':
      yield 'contact_id,customer_id,channel,contacted_at';
      // Minutes of one year: two contacts of a customer at the same minute happen, and the rule breaks the tie.
      for (let i = 0; i < sizes.contacts; i++) yield `M${pad(i, 9)},${customerId(pick(sizes.customers))},${one(CHANNELS)},${timestampOf(EPOCH_2025 + pick(365 * 24 * 60) * 60_000)}`;
      return;
  }
}

/** Streams lines into a file with back-pressure, about 1 MiB per write. */
async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let batch: string[] = [];
  let size = 0;
  const flush = async () => {
    const text = batch.join('\n') + '\n';
    batch = [];
    size = 0;
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const line of lines) {
    batch.push(line);
    size += line.length + 1;
    if (size >= 2 ** 20) await flush();
  }
  if (batch.length > 0) await flush();
  out.end();
  await once(out, 'finish');
}

export interface Generated {
  dir: string;
  /** Each table's file, by table name. */
  files: Record<TableName, string>;
  /** The files' bytes together. */
  bytes: number;
}

export interface GenerateOptions {
  /** Transactions as Parquet (converted by DuckDB) instead of CSV. */
  parquet?: boolean;
  /** Rows per Parquet row group (DuckDB's default: 122,880); a task reads the row groups that start in its bytes. */
  rowGroupRows?: number;
}

/** Writes the five tables into `dir` (created). */
export async function generateCustomer360(dir: string, sizes: Sizes = DEFAULT_SIZES, seed = 1, options: GenerateOptions = {}): Promise<Generated> {
  for (const [name, n] of Object.entries(sizes)) if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number ≥ 0, got ${n}`);
  if (sizes.customers < 1 || sizes.accounts < 1) throw new RangeError('the bank needs at least one customer and one account');
  await mkdir(dir, { recursive: true });
  const files = {} as Record<TableName, string>;
  for (const table of TABLES) {
    files[table] = join(dir, `${table}.csv`);
    await writeLines(files[table], rowsOf(table, sizes, seed));
  }
  if (options.parquet) {
    const csv = files.transactions;
    files.transactions = join(dir, 'transactions.parquet');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    try {
      const connection = await db.connect();
      const quote = (p: string) => `'${p.replaceAll("'", "''")}'`;
      await connection.run(`COPY (SELECT * FROM read_csv(${quote(csv)}, header = true)) TO ${quote(files.transactions)} (FORMAT parquet${options.rowGroupRows ? `, ROW_GROUP_SIZE ${Math.floor(options.rowGroupRows)}` : ''})`);
      connection.closeSync();
    } finally {
      db.closeSync();
    }
    await rm(csv);
  }
  let bytes = 0;
  for (const file of Object.values(files)) bytes += (await stat(file)).size;
  return { dir, files, bytes };
}

/** The sizes named on a command line (`--customers N` …), the defaults for the others. */
export function sizesFrom(values: Record<string, unknown>): Sizes {
  const sizes = { ...DEFAULT_SIZES };
  for (const name of Object.keys(DEFAULT_SIZES) as Array<keyof Sizes>) {
    const given = values[name];
    if (given === undefined) continue;
    const n = Number(String(given).replaceAll('_', ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`--${name} must be a whole number, got ${String(given)}`);
    sizes[name] = n;
  }
  return sizes;
}

/** The command-line options naming the sizes, for `util.parseArgs`. */
export const SIZE_OPTIONS = Object.fromEntries(Object.keys(DEFAULT_SIZES).map((k) => [k, { type: 'string' as const }])) as Record<keyof Sizes, { type: 'string' }>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ...SIZE_OPTIONS, seed: { type: 'string', default: '1' }, parquet: { type: 'boolean', default: false } },
  });
  const [dir] = positionals;
  if (!dir || !Number.isSafeInteger(Number(values.seed))) {
    process.stderr.write('usage: generate.ts DIR [--customers N] [--accounts N] [--transactions N] [--claims N] [--contacts N] [--seed N] [--parquet]\n');
    process.exit(2);
  }
  const generated = await generateCustomer360(dir, sizesFrom(values), Number(values.seed), { parquet: values.parquet });
  for (const [table, file] of Object.entries(generated.files)) console.log(`${table}: ${file}`);
}
