// The 360° view as one DuckDB query over the local files: the reference the example's test and benchmark hold the
// jobs to. It is written apart from the jobs' queries (whole tables, windows ranking each customer's categories and
// contacts) and keeps the rules of jobs.ts: top category by spend, then by name; the last contact by time, then by
// channel name.
import { DuckDBInstance } from '@duckdb/node-api';
import type { TableName } from './generate.ts';

/** The profile's columns, in order, each as the comparison reads it. */
export const PROFILE_COLUMNS = [
  'customer_id',
  'segment',
  'branch',
  'accounts::BIGINT AS accounts',
  'total_spend_cents::BIGINT AS total_spend_cents',
  'transactions::BIGINT AS transactions',
  'top_category',
  'open_claims::BIGINT AS open_claims',
  'last_contact_at::TIMESTAMP AS last_contact_at',
  'last_contact_channel',
] as const;

const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;

/** A table's file as DuckDB reads it: Parquet by its name, else a CSV with a header. */
export function tableSql(path: string): string {
  return /\.parquet$/i.test(path) ? `read_parquet(${quote(path)})` : `read_csv(${quote(path)}, header = true)`;
}

/** One profile row per customer, ordered by customer_id. */
export function profileSql(files: Record<TableName, string>): string {
  const t = (name: TableName) => tableSql(files[name]);
  return `
    WITH spend AS (SELECT a.customer_id, x.category, sum(x.amount_cents) AS cents, count(*) AS n
                   FROM ${t('transactions')} x JOIN ${t('accounts')} a ON a.account_id = x.account_id GROUP BY a.customer_id, x.category),
         ranked AS (SELECT customer_id, category, row_number() OVER (PARTITION BY customer_id ORDER BY cents DESC, category) AS place FROM spend),
         totals AS (SELECT customer_id, sum(cents) AS cents, sum(n) AS n FROM spend GROUP BY customer_id),
         held AS (SELECT customer_id, count(*) AS n FROM ${t('accounts')} GROUP BY customer_id),
         open AS (SELECT customer_id, count(*) AS n FROM ${t('claims')} WHERE status = 'open' GROUP BY customer_id),
         contacts AS (SELECT customer_id, contacted_at, channel,
                             row_number() OVER (PARTITION BY customer_id ORDER BY contacted_at DESC, channel) AS place
                      FROM ${t('contacts')})
    SELECT c.customer_id, c.segment, c.branch,
           coalesce(held.n, 0)::BIGINT AS accounts,
           coalesce(totals.cents, 0)::BIGINT AS total_spend_cents,
           coalesce(totals.n, 0)::BIGINT AS transactions,
           ranked.category AS top_category,
           coalesce(open.n, 0)::BIGINT AS open_claims,
           contacts.contacted_at::TIMESTAMP AS last_contact_at,
           contacts.channel AS last_contact_channel
    FROM ${t('customers')} c
      LEFT JOIN held ON held.customer_id = c.customer_id
      LEFT JOIN totals ON totals.customer_id = c.customer_id
      LEFT JOIN ranked ON ranked.customer_id = c.customer_id AND ranked.place = 1
      LEFT JOIN open ON open.customer_id = c.customer_id
      LEFT JOIN contacts ON contacts.customer_id = c.customer_id AND contacts.place = 1
    ORDER BY c.customer_id`;
}

/** DuckDB on `threads` threads: the rows (as JSON values) and the query's own time (the engine started first). */
export async function duckdbProfile(files: Record<TableName, string>, threads: number): Promise<{ ms: number; rows: unknown[][] }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  try {
    const connection = await instance.connect();
    try {
      const start = performance.now();
      const rows = (await connection.runAndReadAll(profileSql(files))).getRowsJson() as unknown[][];
      return { ms: performance.now() - start, rows };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The rows of a profile dataset's parts (local copies), in the reference's columns and order. */
export async function readProfileParts(paths: string[], format: 'parquet' | 'csv' | 'jsonl'): Promise<unknown[][]> {
  const list = `[${paths.map(quote).join(', ')}]`;
  const from = format === 'parquet' ? `read_parquet(${list})` : format === 'csv' ? `read_csv(${list}, header = true)` : `read_json(${list}, format = 'newline_delimited')`;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(`SELECT ${PROFILE_COLUMNS.join(', ')} FROM ${from} ORDER BY customer_id`)).getRowsJson() as unknown[][];
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
