// The arithmetic of the `aggregate` kernel (kernel.ts), apart from the kernel so that a check can run it serially:
// rows of `customer,date,category,amount` summed per category, customer and month in integer cents.

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

/** The same over lines as they stream (the job's whole input, read by one process). */
export async function aggregateRecords(lines: AsyncIterable<string>, params: AggregateParams = { top: 10 }): Promise<AggregateResult> {
  const one = emptyPartial();
  for await (const line of lines) addRow(one, line);
  return summarise(params, [one]);
}

