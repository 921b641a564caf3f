// The example's tables into an S3 store (one folder per table), and a dataset's parts out of it, by its manifest.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { TableName } from './generate.ts';

/** `s3://BUCKET/PREFIX/` split; the prefix ends in '/' (or is empty). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new Error(`expected s3://BUCKET/PREFIX/, got ${url}`);
  return { bucket: m[1], prefix: m[2] === '' || m[2].endsWith('/') ? m[2] : `${m[2]}/` };
}

/** Each table's file to `DATA/TABLE/FILE` (the bucket created when missing); answers the bytes stored. */
export async function uploadTables(client: S3Client, data: string, files: Record<TableName, string>): Promise<number> {
  const { bucket, prefix } = parseS3Url(data);
  await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((err: { name?: string }) => {
    if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
  });
  let bytes = 0;
  for (const [table, file] of Object.entries(files)) {
    const body = await readFile(file);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${table}/${basename(file)}`, Body: body }));
    bytes += body.length;
  }
  return bytes;
}

export interface Manifest {
  format: 'parquet' | 'csv' | 'jsonl';
  columns: string[];
  partitionBy: string;
  parts: Array<{ name: string; rows: number; bytes: number }>;
  rows: number;
}

/** A dataset's manifest and each part it names, downloaded into `dir` (named by the part). */
export async function downloadDataset(client: S3Client, url: string, dir: string): Promise<{ manifest: Manifest; paths: string[] }> {
  const { bucket, prefix } = parseS3Url(url);
  const get = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
  const manifest = JSON.parse(Buffer.from(await get(`${prefix}_manifest.json`)).toString('utf8')) as Manifest;
  const paths: string[] = [];
  for (const part of manifest.parts) {
    const path = join(dir, `${prefix.replace(/\W+/g, '-')}${part.name}`);
    await writeFile(path, await get(`${prefix}${part.name}`));
    paths.push(path);
  }
  return { manifest, paths };
}
