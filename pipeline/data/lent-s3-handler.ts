// The S3 SDK's transport for the pipeline's reads of its inputs: the SDK still resolves the endpoint, signs the
// request, retries and reads every error, but the answer's body arrives through pipeline/data/lent-http.ts, so that a
// reader can take its bytes as lent views (`LentBody.lend()`) instead of a fresh buffer per socket read.
import { buildQueryString } from '@smithy/core/protocols';
import { lentRequest, type LentResponse } from './lent-http.ts';

/** The parts of the SDK's request that a transport reads (`@smithy/types`' HttpRequest). */
interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: LentResponse['body'];
}

export interface LentS3HandlerOptions {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

export class LentS3Handler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(private readonly options: LentS3HandlerOptions) {}

  async handle(request: SdkRequest, { abortSignal }: { abortSignal?: AbortSignal } = {}): Promise<{ response: SdkResponse }> {
    const protocol = request.protocol === 'https:' ? 'https:' : 'http:';
    const query = request.query ? buildQueryString(request.query) : '';
    const body = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new Error('this transport sends no streamed request bodies (it is for reads)');
    }
    const answer = await lentRequest(
      {
        protocol,
        hostname: request.hostname,
        port: request.port,
        method: request.method,
        target: `${request.path}${query ? `?${query}` : ''}`,
        headers: request.headers,
        body: body ?? undefined,
      },
      { ...this.options, signal: abortSignal },
    );
    return { response: { statusCode: answer.statusCode, reason: answer.reason, headers: answer.headers, body: answer.body } };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
