// What the shuffle tests read back: a store's object keys under a prefix, an object downloaded to a local file (for
// DuckDB to read beside the job's answer), and DuckDB's rows for a query.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';

/** The keys under `prefix`, sorted. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((c) => c.Key!).sort();
}

/** Object `key` written into `dir` (its slashes made underscores); the local path. */
export async function downloadObject(client: S3Client, bucket: string, key: string, dir: string): Promise<string> {
  const path = join(dir, key.replace(/\//g, '_'));
  const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  writeFileSync(path, await answer.Body!.transformToByteArray());
  return path;
}

export async function duckRows(duck: DuckDBConnection, query: string): Promise<unknown[][]> {
  return (await duck.runAndReadAll(query)).getRowsJson() as unknown[][];
}
