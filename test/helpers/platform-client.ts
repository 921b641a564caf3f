// An embedded platform with an openwhisk client on it, and what tests ask of its activations.
import openwhisk from 'openwhisk';
import { startPlatform, type Platform, type PlatformOptionsInput } from '../../platform/index.ts';

// The client's typings lag behind what it accepts (sequences, count, code=false, qs): tests use it loosely.
export type Client = Record<string, Record<string, (options?: any) => Promise<any>>>;

export type Activation = {
  activationId: string;
  name: string;
  namespace: string;
  cause?: string;
  logs: string[];
  annotations: { key: string; value: unknown }[];
  response: { status: string; success: boolean; result: Record<string, unknown> };
  [k: string]: unknown;
};

export function clientOf(platform: Pick<Platform, 'url' | 'auth'>): Client {
  return openwhisk({ apihost: platform.url, api_key: platform.auth }) as unknown as Client;
}

/** Starts a platform on a free port and opens a client on it. */
export async function startWithClient(
  options: PlatformOptionsInput = {},
): Promise<{ platform: Platform; ow: Client }> {
  const platform = await startPlatform({ port: 0, ...options });
  return { platform, ow: clientOf(platform) };
}

/** Polls until the activation record exists. */
export async function activation(ow: Client, id: string): Promise<Activation> {
  for (;;) {
    try {
      return (await ow.activations.get({ name: id })) as Activation;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export function annotation(a: Pick<Activation, 'annotations'>, key: string): unknown {
  return a.annotations.find((x) => x.key === key)?.value;
}

/** The client's error for a request that must fail. */
export async function failure(p: Promise<unknown>): Promise<{ statusCode: number; error: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { statusCode: number; error: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

export function basicAuth(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** POSTs `{}` to an API path with the platform's credentials, past the client. */
export function postEmpty(platform: Platform, path: string): Promise<Response> {
  return fetch(`${platform.url}${path}`, {
    method: 'POST',
    headers: { authorization: basicAuth(platform.auth), 'content-type': 'application/json' },
    body: '{}',
  });
}

/** A blocking invoke's record, also when the action failed (502 with the record as its body). */
export async function invokeBlocking(
  ow: Client,
  name: string,
  params: Record<string, unknown> = {},
): Promise<Activation> {
  try {
    return (await ow.actions.invoke({ name, params, blocking: true })) as Activation;
  } catch (err) {
    const e = err as { statusCode?: number; error?: Activation };
    if (e.statusCode === 502 && e.error?.response) return e.error;
    throw err;
  }
}
