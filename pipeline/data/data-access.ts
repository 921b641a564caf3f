// One entry to a job's own data, whatever holds it: S3 (the operator's endpoint and credentials) or http(s) URLs (held
// to the deployment's URL policy). Listing happens once, when the job is split; every task then reads its byte ranges.
import { UrlPolicy } from './url-policy.ts';
import { HttpObjects, type HttpObjectsOptions } from './http-objects.ts';
import type { DataSource } from './input-spec.ts';
import type { ByteReader, ObjectInfo, ObjectSlice } from './objects.ts';
import { S3Connection, type S3ClientOptions, type S3Settings } from './s3-settings.ts';
import { S3Objects } from './s3-objects.ts';

export interface DataAccessSettings {
  /** The S3 endpoint and credentials (`readS3Settings` reads them from AWS's variable names). */
  s3?: S3Settings;
  s3Client?: S3ClientOptions;
  /** The deployment's `allowHosts` setting, for URLs ('' = public addresses only). */
  allowHosts?: unknown;
  http?: HttpObjectsOptions;
}

const LISTING_CONCURRENCY = 16;

export class DataAccess implements ByteReader {
  private s3Objects?: S3Objects;
  private readonly httpObjects: HttpObjects;

  constructor(private readonly settings: DataAccessSettings = {}) {
    this.httpObjects = new HttpObjects(new UrlPolicy(settings.allowHosts ?? ''), settings.http);
  }

  private get s3(): S3Objects {
    this.s3Objects ??= new S3Objects(new S3Connection(this.settings.s3 ?? {}, this.settings.s3Client));
    return this.s3Objects;
  }

  /** Every object the sources name, in their order; throws InputSpecError for what names nothing, DataReadError else. */
  async list(sources: DataSource[]): Promise<ObjectInfo[]> {
    const lists: ObjectInfo[][] = new Array(sources.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < sources.length) {
        const i = next++;
        const source = sources[i];
        lists[i] = source.kind === 'url' ? [await this.httpObjects.list(source.url)] : await this.s3.list(source);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LISTING_CONCURRENCY, sources.length) }, lane));
    return lists.flat();
  }

  readRange(slice: ObjectSlice): AsyncIterable<Uint8Array> {
    return slice.object.startsWith('s3://') ? this.s3.readRange(slice) : this.httpObjects.readRange(slice);
  }

  lendRange(slice: ObjectSlice): AsyncIterable<Uint8Array> {
    return slice.object.startsWith('s3://') ? this.s3.lendRange(slice) : this.httpObjects.readRange(slice);
  }
}
