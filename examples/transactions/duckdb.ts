// The `aggregate` example's result computed by DuckDB (a devDependency: the reference engine for the data tests and
// the data benchmark) over a local CSV file: one pass, by grouping sets, in integer cents; ordered and cut by the
// example's own `summarise`, so that ties break the same way.
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyPartial, summarise, type AggregateParams, type AggregateResult } from './aggregate.ts';

const COLUMNS = "{'customer': 'VARCHAR', 'date': 'DATE', 'category': 'VARCHAR', 'amount': 'DECIMAL(18,2)'}";

/** The SQL over `path` (a CSV with a header line), one row per group of each grouping set. */
export function aggregateSql(path: string): string {
  const file = `'${path.replaceAll("'", "''")}'`;
  return `
    SELECT category, customer, month, grouping(category) AS gc, grouping(customer) AS gu, grouping(month) AS gm,
           CAST(sum(cents) AS BIGINT) AS cents, count(*) AS n
    FROM (SELECT customer, category, strftime(date, '%Y-%m') AS month, CAST(amount * 100 AS BIGINT) AS cents
          FROM read_csv(${file}, header = true, columns = ${COLUMNS}))
    GROUP BY GROUPING SETS ((category), (customer), (month), ())`;
}

/** DuckDB on `threads` threads: the result and the query's own time (the engine started before the clock). */
export async function duckdbAggregate(path: string, threads: number, params: AggregateParams = { top: 10 }): Promise<{ ms: number; result: AggregateResult }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  try {
    const connection = await instance.connect();
    try {
      const start = performance.now();
      const rows = (await connection.runAndReadAll(aggregateSql(path))).getRows();
      const ms = performance.now() - start;
      const partial = emptyPartial();
      for (const [category, customer, month, gc, gu, gm, cents, n] of rows) {
        const c = Number(cents);
        if (Number(gc) === 0) partial.byCategory[String(category)] = c;
        else if (Number(gu) === 0) partial.byCustomer[String(customer)] = c;
        else if (Number(gm) === 0) partial.byMonth[String(month)] = c;
        else partial.rows = Number(n);
      }
      return { ms, result: summarise(params, [partial]) };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
