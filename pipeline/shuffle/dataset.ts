// A dataset in the object store: parts `part-00000.EXT` … under a prefix and `_manifest.json`, written last, that
// names them. A job reading a prefix that holds a manifest reads the parts it names, and never a name starting with
// '_' (the manifest, `_temporary/` attempts), so jobs chain over each other's output.
import type { PartFormat } from '../../kernels/types.ts';
import type { StoreCounts } from './store-objects.ts';

export const MANIFEST_NAME = '_manifest.json';
export const TEMPORARY_DIR = '_temporary/';

const EXTENSIONS: Record<PartFormat, string> = { parquet: 'parquet', csv: 'csv', jsonl: 'jsonl' };

export function partName(part: number, format: PartFormat): string {
  return `part-${String(part).padStart(5, '0')}.${EXTENSIONS[format]}`;
}

export interface DatasetManifest {
  format: PartFormat;
  columns: string[];
  /** DuckDB's type of each column, when the kernel knows them. */
  types?: string[];
  partitionBy: string;
  /** A sort's columns (`key, other DESC`): each part sorted by them, and part r's rows all before part r+1's. */
  sortBy?: string;
  /** Every part, in partition order (names relative to the prefix). */
  parts: Array<{ name: string; rows: number; bytes: number }>;
  rows: number;
  bytes: number;
  /** The job that made it. */
  job: string;
  /** What its shuffle moved through the store. */
  shuffle: StoreCounts;
}

/** Whether a key under a dataset's prefix is hidden from readers (the manifest, attempts, any `_` or `.` name). */
export function hiddenInDataset(relativeKey: string): boolean {
  return relativeKey.split('/').some((part) => part.startsWith('_') || part.startsWith('.'));
}
