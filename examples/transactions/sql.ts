// The `aggregate` example's computation as the built-in `sql` kernel runs it: a map query per task (spend per category,
// customer and month in one pass, by grouping sets, in integer cents) and a reduce query over the tasks' answers; and
// the result read back into the example's own form, so that it can be compared with the kernel's and DuckDB's.
//   npx supercompute run sql --input s3://data/tx/tx.csv -p map="$(…AGGREGATE_MAP)" -p reduce="$(…AGGREGATE_REDUCE)"
import { emptyPartial, summarise, type AggregateParams, type AggregateResult } from './aggregate.ts';

/** Over table `input` (a CSV with a header, or Parquet, of customer,date,category,amount): one row per group of each set. */
export const AGGREGATE_MAP = `SELECT category, customer, month, grouping(category) AS gc, grouping(customer) AS gu, grouping(month) AS gm,
       CAST(sum(cents) AS BIGINT) AS cents, count(*) AS n
FROM (SELECT customer, category, strftime(CAST(date AS DATE), '%Y-%m') AS month, CAST(round(amount * 100) AS BIGINT) AS cents FROM input)
GROUP BY GROUPING SETS ((category), (customer), (month), ())`;

/** Over table `partials` (every task's answer to AGGREGATE_MAP): the same groups summed. */
export const AGGREGATE_REDUCE = `SELECT category, customer, month, gc, gu, gm, CAST(sum(cents) AS BIGINT) AS cents, CAST(sum(n) AS BIGINT) AS n
FROM partials GROUP BY ALL`;

/** Rows of (category, customer, month, gc, gu, gm, cents, n), as both queries answer, as the example's result. */
export function resultOfGroupingRows(rows: readonly (readonly unknown[])[], params: AggregateParams = { top: 10 }): AggregateResult {
  const partial = emptyPartial();
  for (const [category, customer, month, gc, gu, gm, cents, n] of rows) {
    const c = Number(cents);
    if (Number(gc) === 0) partial.byCategory[String(category)] = c;
    else if (Number(gu) === 0) partial.byCustomer[String(customer)] = c;
    else if (Number(gm) === 0) partial.byMonth[String(month)] = c;
    else partial.rows = Number(n);
  }
  return summarise(params, [partial]);
}
