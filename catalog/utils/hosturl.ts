// /whisk.system/utils/hosturl: the URL to invoke an action (or fire a trigger) of the caller's namespace through
// the REST API, or to call it as a web action. Parameters as in Apache's catalog: `path` ("name" or "pkg/name"),
// `web` (true for the web URL), `ext` (the web URL's extension, default ".json"), `trigger` (a trigger's URL).
interface HostUrlParams {
  path?: unknown;
  web?: unknown;
  ext?: unknown;
  trigger?: unknown;
}

const WEB_EXTENSIONS = ['.json', '.text', '.html', '.http'];

export function main(params: HostUrlParams): { url: string } | { error: string } {
  const host = (process.env.__OW_API_HOST ?? '').replace(/\/+$/, '');
  const ns = process.env.__OW_NAMESPACE ?? '_';
  const web = params.web === true;
  const trigger = params.trigger === true;
  const path = typeof params.path === 'string' && params.path !== '' ? params.path : undefined;
  if (web && trigger) return { error: 'triggers are not allowed for web actions.' };
  if (web && params.ext !== undefined && !WEB_EXTENSIONS.includes(String(params.ext))) {
    return { error: `extension for web action must be one of ${JSON.stringify(WEB_EXTENSIONS)}.` };
  }
  if (trigger && path?.includes('/')) return { error: 'triggers are not allowed in packages.' };
  const base = web ? `${host}/api/v1/web/${ns}` : `${host}/api/v1/namespaces/${ns}/${trigger ? 'triggers' : 'actions'}`;
  if (!path) return { url: base };
  if (!web) return { url: `${base}/${path}` };
  const ext = typeof params.ext === 'string' ? params.ext : '.json';
  return { url: `${base}/${path.includes('/') ? path : `default/${path}`}${ext}` };
}
