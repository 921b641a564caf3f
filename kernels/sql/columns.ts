// The input columns a query uses, from DuckDB's own parse tree (json_serialize_sql): every column reference whose name
// is one of the input's, or all of them for `*`, COLUMNS(…), a positional reference, a reference to the whole row, or
// a tree it cannot serialise. It may name more columns than the query needs (an alias that is also a column's name),
// never fewer that matter: a column left out is absent from the task's table, so the query fails rather than reading
// NULLs.
import { literal, type Engine } from './engine.ts';

const ALL_CLASSES = new Set(['STAR', 'POSITIONAL_REFERENCE']);

export async function columnsUsed(engine: Engine, sql: string, columns: readonly string[], table = 'input'): Promise<string[]> {
  const reader = await engine.connection.runAndReadAll(`SELECT json_serialize_sql(${literal(sql)})`);
  const tree = JSON.parse(String(reader.getRows()[0][0])) as { error?: boolean };
  if (tree.error) return [...columns];
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const used = new Set<string>();
  let all = false;
  const visit = (node: unknown): void => {
    if (all || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Record<string, unknown>;
    if (typeof n.class === 'string' && ALL_CLASSES.has(n.class)) {
      all = true;
      return;
    }
    if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names)) {
      const names = (n.column_names as unknown[]).map((name) => String(name).toLowerCase());
      if (names.length === 1 && names[0] === table && !byLower.has(table)) all = true;
      for (const name of names) {
        const column = byLower.get(name);
        if (column !== undefined) used.add(column);
      }
    }
    Object.values(n).forEach(visit);
  };
  visit(tree);
  if (all) return [...columns];
  // `count(*)` uses no column, but its table still needs one to have rows.
  return used.size === 0 ? columns.slice(0, 1) : columns.filter((c) => used.has(c));
}
