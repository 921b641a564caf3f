// /whisk.system/utils/echo: returns its input.
export function main(params: Record<string, unknown>): Record<string, unknown> {
  return params || {};
}
