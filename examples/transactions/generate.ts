// A deterministic CSV of card transactions for the Big Data example: `customer,date,category,amount`, one header line,
// then `rows` rows drawn from a seeded PRNG (mulberry32), so a seed and a row count always give the same bytes.
//   npx tsx examples/transactions/generate.ts ROWS [SEED] > transactions.csv
//   npx tsx examples/transactions/generate.ts --size=1GiB [SEED] > transactions.csv
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { parseByteSize } from '../../pipeline/data/byte-size.ts';

export const HEADER = 'customer,date,category,amount';
export const CATEGORIES = ['groceries', 'rent', 'travel', 'dining', 'fuel', 'health', 'books', 'électronique'] as const;
const CUSTOMERS = 500;

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers on every machine. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cents as the CSV writes them: `1234` → `12.34`. */
export function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** The rows (no header), each `customer,date,category,amount`. */
export function* transactionRows(rows: number, seed = 1): Generator<string> {
  const rand = mulberry32(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  for (let i = 0; i < rows; i++) {
    const customer = `C${String(1 + pick(CUSTOMERS)).padStart(4, '0')}`;
    const month = 1 + pick(12);
    const day = 1 + pick(28);
    const date = `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const category = CATEGORIES[pick(CATEGORIES.length)];
    // Mostly small amounts, a few large ones.
    const cents = 1 + pick(rand() < 0.05 ? 500_000 : 20_000);
    yield `${customer},${date},${category},${formatCents(cents)}`;
  }
}

/** The whole CSV: header, rows, a final newline. */
export function generateTransactions(rows: number, seed = 1): string {
  return [HEADER, ...transactionRows(rows, seed)].join('\n') + '\n';
}

/**
 * The CSV as it streams, in buffers of about `chunkBytes`: header, then rows until `rows` of them or, given `bytes`,
 * until at least that many bytes (a whole row more at most). The same seed gives the same bytes, never held whole.
 */
export function* transactionChunks(until: { rows: number } | { bytes: number }, seed = 1, chunkBytes = 2 ** 20): Generator<Buffer> {
  const rows = 'rows' in until ? until.rows : Infinity;
  const bytes = 'bytes' in until ? until.bytes : Infinity;
  let lines = [HEADER];
  let pending = HEADER.length + 1;
  let written = 0;
  for (const row of transactionRows(rows, seed)) {
    if (written + pending >= bytes) break;
    lines.push(row);
    pending += Buffer.byteLength(row) + 1;
    if (pending >= chunkBytes) {
      yield Buffer.from(lines.join('\n') + '\n');
      written += pending;
      lines = [];
      pending = 0;
    }
  }
  if (lines.length > 0) yield Buffer.from(lines.join('\n') + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [what, seedArg] = process.argv.slice(2);
  const seed = seedArg === undefined ? 1 : Number(seedArg);
  let until: { rows: number } | { bytes: number } | undefined;
  if (what?.startsWith('--size=')) until = { bytes: parseByteSize(what.slice('--size='.length), '--size') };
  else if (what !== undefined && Number.isSafeInteger(Number(what)) && Number(what) >= 0) until = { rows: Number(what) };
  if (!until || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: generate.ts ROWS [SEED], or generate.ts --size=BYTES [SEED] (e.g. --size=1GiB)\n');
    process.exit(2);
  }
  // Streamed with backpressure: a file of any size in constant memory.
  pipeline(Readable.from(transactionChunks(until, seed)), process.stdout).catch((err: NodeJS.ErrnoException) => {
    // A reader that stops early (`| head`) is not an error.
    if (err.code !== 'EPIPE') throw err;
  });
}
