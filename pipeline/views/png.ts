const PNG_BASE64_PREFIX = 'iVBORw0KGgo';

/** The base64 PNG in a kernel's result: the result itself, or a top-level string field holding one. */
export function pngOf(result: unknown): string | undefined {
  if (typeof result === 'string') return result.startsWith(PNG_BASE64_PREFIX) ? result : undefined;
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    for (const v of Object.values(result as Record<string, unknown>)) {
      if (typeof v === 'string' && v.startsWith(PNG_BASE64_PREFIX)) return v;
    }
  }
  return undefined;
}
