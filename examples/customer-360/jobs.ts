// The 360° view as two shuffle jobs of the built-in `sql` kernel, the second reading the first's dataset:
//
//   spend    transactions joined to accounts by account_id (R reducers): spend and count per customer and category;
//   profile  customers, accounts, that spend, claims and contacts, all partitioned by customer_id (R reducers): one
//            profile row per customer.
//
// Each map query combines what it can on its own slice (a sum per account and category, a count per customer...),
// so the shuffle moves partial aggregates; the reduce queries combine them again, which every aggregate here allows.
// The profile, per customer:
//   accounts            how many accounts the customer holds (0 for none)
//   total_spend_cents   the sum of the amounts of the transactions of all their accounts (0 for none)
//   transactions        how many transactions that is
//   top_category        the category with the most spend; on a tie, the first by name; NULL without transactions
//   open_claims         claims with status 'open'
//   last_contact_at     the latest contact's time; NULL for none
//   last_contact_channel  that contact's channel; on a tie of times, the first by name
import type { Supercompute } from '../../host/library/index.ts';
import type { TableName } from './generate.ts';

export interface Customer360Options {
  /** Where the five tables lie: `s3://BUCKET/PREFIX/`, one folder per table (`customers/`, `accounts/`...). */
  data: string;
  /** Where the datasets go: `spend/` and `profile/` under this `s3://BUCKET/PREFIX/`. */
  output: string;
  reducers?: number;
  /** Map tasks' size (bytes or '16MiB'); default DEFAULT_CHUNK_SIZE. */
  chunkSize?: string | number;
  workers?: number;
  /** The profile's format; the spend dataset between the jobs is Parquet. */
  outputFormat?: 'parquet' | 'csv' | 'jsonl';
}

/** A job's request: kernel params and the shuffle's fields, as `supercompute run sql` or `sc.run` take them. */
export interface SqlShuffleJob {
  params: Record<string, string>;
  input: string[];
  partitionBy: string;
  reducers: number;
  output: string;
  outputFormat: 'parquet' | 'csv' | 'jsonl';
  overwrite: true;
  chunkSize: string | number;
  workers?: number;
}

const slash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
const tableUrl = (data: string, table: TableName) => `${slash(data)}${table}/`;

export const SPEND_QUERIES = {
  'map.transactions': 'SELECT account_id, category, sum(amount_cents)::BIGINT AS spend_cents, count(*) AS n FROM transactions GROUP BY ALL',
  'map.accounts': 'SELECT account_id, customer_id FROM accounts',
  reduce: 'SELECT a.customer_id, t.category, sum(t.spend_cents)::BIGINT AS spend_cents, sum(t.n)::BIGINT AS n FROM transactions t JOIN accounts a USING (account_id) GROUP BY ALL',
};

export const PROFILE_QUERIES = {
  'map.customers': 'SELECT customer_id, segment, branch FROM customers',
  'map.accounts': 'SELECT customer_id, count(*) AS accounts FROM accounts GROUP BY ALL',
  'map.spend': 'SELECT customer_id, category, sum(spend_cents)::BIGINT AS spend_cents, sum(n)::BIGINT AS n FROM spend GROUP BY ALL',
  'map.claims': "SELECT customer_id, count(*) FILTER (WHERE status = 'open') AS open_claims FROM claims GROUP BY ALL",
  'map.contacts': 'SELECT customer_id, max(contacted_at) AS last_at, first(channel ORDER BY contacted_at DESC, channel) AS last_channel FROM contacts GROUP BY ALL',
  reduce: `
    WITH a AS (SELECT customer_id, sum(accounts)::BIGINT AS accounts FROM accounts GROUP BY ALL),
         s AS (SELECT customer_id, category, sum(spend_cents)::BIGINT AS spend_cents, sum(n)::BIGINT AS n FROM spend GROUP BY ALL),
         t AS (SELECT customer_id, sum(spend_cents)::BIGINT AS total_spend_cents, sum(n)::BIGINT AS transactions,
                      first(category ORDER BY spend_cents DESC, category) AS top_category
               FROM s GROUP BY ALL),
         k AS (SELECT customer_id, sum(open_claims)::BIGINT AS open_claims FROM claims GROUP BY ALL),
         m AS (SELECT customer_id, max(last_at) AS last_contact_at, first(last_channel ORDER BY last_at DESC, last_channel) AS last_contact_channel
               FROM contacts GROUP BY ALL)
    SELECT c.customer_id, c.segment, c.branch, coalesce(a.accounts, 0) AS accounts,
           coalesce(t.total_spend_cents, 0) AS total_spend_cents, coalesce(t.transactions, 0) AS transactions, t.top_category,
           coalesce(k.open_claims, 0) AS open_claims, m.last_contact_at, m.last_contact_channel
    FROM customers c LEFT JOIN a USING (customer_id) LEFT JOIN t USING (customer_id) LEFT JOIN k USING (customer_id)
         LEFT JOIN m USING (customer_id)`,
};

/**
 * The map tasks' size unless given: a map task holds its query's answer in memory (as the rows it partitions), and
 * the per-account sums of 64 MiB of transactions (the deployment's default chunk) outgrow a 512 MB task.
 */
export const DEFAULT_CHUNK_SIZE = '16MiB';

function common(o: Customer360Options): Pick<SqlShuffleJob, 'reducers' | 'overwrite' | 'chunkSize' | 'workers'> {
  return { reducers: o.reducers ?? 4, overwrite: true, chunkSize: o.chunkSize ?? DEFAULT_CHUNK_SIZE, ...(o.workers !== undefined ? { workers: o.workers } : {}) };
}

/** The first job: spend per customer and category, by joining transactions to accounts. */
export function spendJob(o: Customer360Options): SqlShuffleJob {
  return {
    params: SPEND_QUERIES,
    input: [`transactions=${tableUrl(o.data, 'transactions')}`, `accounts=${tableUrl(o.data, 'accounts')}`],
    partitionBy: 'account_id',
    output: `${slash(o.output)}spend/`,
    outputFormat: 'parquet',
    ...common(o),
  };
}

/** The second job: one profile row per customer, over the first job's dataset and the other tables. */
export function profileJob(o: Customer360Options): SqlShuffleJob {
  return {
    params: PROFILE_QUERIES,
    input: [
      `customers=${tableUrl(o.data, 'customers')}`,
      `accounts=${tableUrl(o.data, 'accounts')}`,
      `spend=${slash(o.output)}spend/`,
      `claims=${tableUrl(o.data, 'claims')}`,
      `contacts=${tableUrl(o.data, 'contacts')}`,
    ],
    partitionBy: 'customer_id',
    output: `${slash(o.output)}profile/`,
    outputFormat: o.outputFormat ?? 'parquet',
    ...common(o),
  };
}

/** What a shuffle job answers: the dataset it wrote. */
export interface DatasetResult {
  dataset: string;
  manifest: string;
  format: string;
  parts: number;
  rows: number;
  bytes: number;
  columns: string[];
  shuffle: { puts: number; gets: number; bytesWritten: number; bytesRead: number };
}

/** The library form: both jobs, one after the other, through a client; answers each one's dataset. */
export async function buildCustomer360(sc: Supercompute, o: Customer360Options): Promise<{ spend: DatasetResult; profile: DatasetResult }> {
  const run = async (job: SqlShuffleJob) => {
    const { params, ...options } = job;
    return (await sc.run<DatasetResult>('sql', params, options)).result();
  };
  const spend = await run(spendJob(o));
  const profile = await run(profileJob(o));
  return { spend, profile };
}

/** The same jobs as `supercompute run` command lines (what the folder's README shows). */
export function commandLines(o: Customer360Options): string[] {
  const quote = (s: string) => `'${s.replace(/\s+/g, ' ').trim().replaceAll("'", "'\\''")}'`;
  return [spendJob(o), profileJob(o)].map((job) =>
    [
      'npx supercompute run sql',
      ...job.input.map((i) => `--input ${i}`),
      ...Object.entries(job.params).map(([k, v]) => `-p ${k}=${quote(v)}`),
      `--partition-by ${job.partitionBy} --reducers ${job.reducers} --output ${job.output} --output-format ${job.outputFormat} --overwrite`,
      `--chunk-size ${job.chunkSize}`,
      ...(job.workers !== undefined ? [`--workers ${job.workers}`] : []),
    ].join(' \\\n  '),
  );
}
