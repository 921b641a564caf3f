// Reads the <rect> elements of an SVG string into attribute maps, after checking the tags balance.
export type Attrs = Record<string, string>;

export function rects(svg: string): Attrs[] {
  const out: Attrs[] = [];
  for (const m of svg.matchAll(/<rect\b([^>]*?)\/?>/g)) {
    const attrs: Attrs = {};
    for (const a of m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    out.push(attrs);
  }
  return out;
}

/** Throws unless every opened element is closed in order (a minimal well-formedness check). */
export function checkBalanced(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name!);
    else if (stack.pop() !== name) throw new Error(`unbalanced </${name}> at ${m.index}`);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
}
