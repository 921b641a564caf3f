// The arithmetic of the `aggregate` kernel (kernel.ts), apart from the kernel so that a check can run it serially:
// rows of `customer,date,category,amount` summed per category, customer and month in integer cents.
//
// Two ways in, with the same rules: `BatchAggregator` scans record batches' bytes (`task.batches`, what the kernel
// uses: no line is decoded, numbers are read from their digits and keys are interned from their bytes), and `addRow`
// takes one line as a string (`task.records`, and the tests' plain arrays of lines).
import { ByteKeys, hashByte, type RecordBatch } from 'supercompute';

export interface AggregateParams {
  top: number;
}

/** Cents per key, and the rows read. */
export interface AggregatePartial {
  rows: number;
  byCategory: Record<string, number>;
  byCustomer: Record<string, number>;
  byMonth: Record<string, number>;
}

export interface AggregateResult {
  rows: number;
  totalCents: number;
  /** category → cents, categories in order. */
  byCategory: Record<string, number>;
  /** [customer, cents], the largest first (ties by name). */
  topCustomers: [string, number][];
  /** YYYY-MM → cents, months in order. */
  byMonth: Record<string, number>;
}

const AMOUNT = /^(\d+)\.(\d\d)$/;

function add(into: Record<string, number>, key: string, cents: number): void {
  into[key] = (into[key] ?? 0) + cents;
}

export function emptyPartial(): AggregatePartial {
  // Objects without a prototype: a key such as "__proto__" stays an ordinary key.
  return { rows: 0, byCategory: Object.create(null), byCustomer: Object.create(null), byMonth: Object.create(null) };
}

/** Adds one CSV line to the partial; the header and empty lines count for nothing. */
export function addRow(into: AggregatePartial, line: string): void {
  if (line === '' || line.startsWith('customer,')) return;
  const [customer, date, category, amount, extra] = line.split(',');
  const m = AMOUNT.exec(amount ?? '');
  if (extra !== undefined || !customer || !category || !/^\d{4}-\d\d-\d\d$/.test(date ?? '') || !m) {
    throw new Error(`aggregate: not a transaction row: ${JSON.stringify(line.slice(0, 80))}`);
  }
  const cents = Number(m[1]) * 100 + Number(m[2]);
  into.rows += 1;
  add(into.byCategory, category, cents);
  add(into.byCustomer, customer, cents);
  add(into.byMonth, date.slice(0, 7), cents);
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const DOT = 0x2e;
const DASH = 0x2d;
const ZERO = 0x30;
const HEADER = Buffer.from('customer,');

const isDigit = (byte: number): boolean => byte >= ZERO && byte <= ZERO + 9;

/** Sums per interned key, in cents. */
class KeySums {
  readonly keys = new ByteKeys();
  cents = new Float64Array(64);

  add(id: number, cents: number): void {
    if (id >= this.cents.length) {
      const grown = new Float64Array(this.cents.length * 2);
      grown.set(this.cents);
      this.cents = grown;
    }
    this.cents[id] += cents;
  }

  into(target: Record<string, number>): void {
    for (let id = 0; id < this.keys.size; id++) add(target, this.keys.key(id), this.cents[id]);
  }
}

/** The partial of whole record batches, read straight from their bytes. */
export class BatchAggregator {
  private rows = 0;
  private readonly categories = new KeySums();
  private readonly customers = new KeySums();
  private readonly months = new KeySums();

  /** Adds every row of the batch; the header and empty lines count for nothing, anything else malformed throws. */
  add(batch: RecordBatch): void {
    const bytes = batch.bytes;
    const n = bytes.length;
    let p = 0;
    while (p < n) p = this.row(bytes, p, n);
  }

  /** Adds the row at `p` (or skips it); answers where the next one starts. */
  private row(b: Buffer, p: number, n: number): number {
    let c = b[p];
    if (c === NEWLINE) return p + 1;
    if (c === CR && (p + 1 === n || b[p + 1] === NEWLINE)) return p + 2;
    if (c === HEADER[0] && b.compare(HEADER, 0, HEADER.length, p, p + HEADER.length) === 0) return lineEnd(b, p) + 1;
    let i = p;
    let hash = ByteKeys.seed;
    while (i < n && (c = b[i]) !== COMMA && c !== NEWLINE) {
      hash = hashByte(hash, c);
      i++;
    }
    if (c !== COMMA || i === p) return notARow(b, p);
    const customer = this.customers.keys.id(b, p, i, hash);
    const d = i + 1;
    if (
      d + 10 >= n ||
      b[d + 10] !== COMMA ||
      b[d + 4] !== DASH ||
      b[d + 7] !== DASH ||
      !isDigit(b[d]) ||
      !isDigit(b[d + 1]) ||
      !isDigit(b[d + 2]) ||
      !isDigit(b[d + 3]) ||
      !isDigit(b[d + 5]) ||
      !isDigit(b[d + 6]) ||
      !isDigit(b[d + 8]) ||
      !isDigit(b[d + 9])
    ) {
      return notARow(b, p);
    }
    const month = this.months.keys.id(b, d, d + 7);
    const k = d + 11;
    i = k;
    hash = ByteKeys.seed;
    while (i < n && (c = b[i]) !== COMMA && c !== NEWLINE) {
      hash = hashByte(hash, c);
      i++;
    }
    if (c !== COMMA || i === k) return notARow(b, p);
    const category = this.categories.keys.id(b, k, i, hash);
    i++;
    const digits = i;
    let cents = 0;
    while (i < n && isDigit((c = b[i]))) {
      cents = cents * 10 + (c - ZERO);
      i++;
    }
    if (i === digits || i + 2 >= n || b[i] !== DOT || !isDigit(b[i + 1]) || !isDigit(b[i + 2])) return notARow(b, p);
    cents = cents * 100 + (b[i + 1] - ZERO) * 10 + (b[i + 2] - ZERO);
    i += 3;
    if (i < n && b[i] === CR) i++;
    if (i < n && b[i] !== NEWLINE) return notARow(b, p);
    this.rows += 1;
    this.customers.add(customer, cents);
    this.categories.add(category, cents);
    this.months.add(month, cents);
    return i + 1;
  }

  /** The partial so far, keys decoded (once each). */
  partial(): AggregatePartial {
    const partial = emptyPartial();
    partial.rows = this.rows;
    this.categories.into(partial.byCategory);
    this.customers.into(partial.byCustomer);
    this.months.into(partial.byMonth);
    return partial;
  }
}

function lineEnd(b: Buffer, p: number): number {
  const nl = b.indexOf(NEWLINE, p);
  return nl < 0 ? b.length : nl;
}

function notARow(b: Buffer, p: number): never {
  const line = b.subarray(p, lineEnd(b, p)).toString('utf8').replace(/\r$/, '');
  throw new Error(`aggregate: not a transaction row: ${JSON.stringify(line.slice(0, 80))}`);
}

/** The partial of record batches as they stream. */
export async function aggregateBatches(batches: AsyncIterable<RecordBatch>): Promise<AggregatePartial> {
  const aggregator = new BatchAggregator();
  for await (const batch of batches) aggregator.add(batch);
  return aggregator.partial();
}

function sortedObject(entries: [string, number][]): Record<string, number> {
  return Object.fromEntries(entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** The result from partials in any order. */
export function summarise(params: AggregateParams, partials: AggregatePartial[]): AggregateResult {
  const all = emptyPartial();
  for (const p of partials) {
    all.rows += p.rows;
    for (const [k, c] of Object.entries(p.byCategory)) add(all.byCategory, k, c);
    for (const [k, c] of Object.entries(p.byCustomer)) add(all.byCustomer, k, c);
    for (const [k, c] of Object.entries(p.byMonth)) add(all.byMonth, k, c);
  }
  const byCategory = sortedObject(Object.entries(all.byCategory));
  const topCustomers = Object.entries(all.byCustomer)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, params.top);
  return {
    rows: all.rows,
    totalCents: Object.values(byCategory).reduce((s, c) => s + c, 0),
    byCategory,
    topCustomers,
    byMonth: sortedObject(Object.entries(all.byMonth)),
  };
}

/** The serial computation over every line of the input, for checking a parallel run. */
export function aggregateLines(lines: Iterable<string>, params: AggregateParams = { top: 10 }): AggregateResult {
  const one = emptyPartial();
  for (const line of lines) addRow(one, line);
  return summarise(params, [one]);
}

/** The same over record batches as they stream (the job's whole input, read by one process). */
export async function aggregateInput(batches: AsyncIterable<RecordBatch>, params: AggregateParams = { top: 10 }): Promise<AggregateResult> {
  return summarise(params, [await aggregateBatches(batches)]);
}

