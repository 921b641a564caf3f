// Import cycles in an import graph: for every module caught in one, the shortest cycle back to itself.
import type { ImportGraph } from './import-graph.ts';

/**
 * Each cycle as the chain of modules it passes through, the first repeated at the end: [a, b, a].
 * `groupOf` looks at a coarser graph: files of one group (a folder, say) become one module, and files it maps to
 * undefined are left out.
 */
export function findCycles(
  graph: ImportGraph,
  groupOf: (path: string) => string | undefined = (path) => path,
): string[][] {
  const edges = groupEdges(graph, groupOf);
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const start of [...edges.keys()].sort()) {
    const cycle = shortestCycleThrough(start, edges);
    if (!cycle) continue;
    const key = canonicalKey(cycle);
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(cycle);
  }
  return cycles;
}

export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' -> ');
}

function groupEdges(graph: ImportGraph, groupOf: (path: string) => string | undefined): Map<string, string[]> {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = groupOf(file);
    if (from === undefined) continue;
    const targets = edges.get(from) ?? new Set<string>();
    edges.set(from, targets);
    for (const { target } of imports) {
      if (target.kind !== 'file') continue;
      const to = groupOf(target.path);
      // Files of one group importing each other make no cycle between groups; a file importing itself does.
      if (to !== undefined && (to !== from || target.path === file)) targets.add(to);
    }
  }
  return new Map([...edges].map(([from, targets]) => [from, [...targets].sort()]));
}

// Breadth-first from `start`, so the cycle reported is the shortest one and the same on every run.
function shortestCycleThrough(start: string, edges: Map<string, string[]>): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head];
    for (const next of edges.get(current) ?? []) {
      if (next === start) return [...pathTo(current, cameFrom, start), start];
      if (!cameFrom.has(next)) {
        cameFrom.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

function pathTo(end: string, cameFrom: Map<string, string>, start: string): string[] {
  const path = [end];
  while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
  return path;
}

// The same cycle found from each of its modules is reported once: rotate it to begin at its smallest module.
function canonicalKey(cycle: readonly string[]): string {
  const ring = cycle.slice(0, -1);
  const first = ring.indexOf([...ring].sort()[0]);
  return [...ring.slice(first), ...ring.slice(0, first)].join('\n');
}
