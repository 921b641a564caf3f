// The `lines` parameter the line utilities share: an array of strings (anything else counts as none).
export function linesOf(params: { lines?: unknown }): string[] {
  return Array.isArray(params.lines) ? params.lines.map((l) => String(l)) : [];
}
