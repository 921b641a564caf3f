// /whisk.system/utils/split: `payload` split into lines at `separator` (default: line breaks).
export function main(params: { payload?: unknown; separator?: unknown }): { lines: string[]; payload: unknown } {
  const separator = typeof params.separator === 'string' && params.separator !== '' ? params.separator : /\r?\n/;
  const text = params.payload === undefined || params.payload === null ? '' : String(params.payload);
  return { lines: text.split(separator), payload: params.payload };
}
