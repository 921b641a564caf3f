// /whisk.system/utils/hosturl: the URL of the API host the action was invoked through.
export function main(): { url: string } {
  const host = (process.env.__OW_API_HOST ?? '').replace(/\/+$/, '');
  return { url: /^https?:\/\//.test(host) ? host : `https://${host}` };
}
