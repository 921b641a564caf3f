/** Set bits in words[0..count). */
export function countBits(words: Int32Array, count: number): number {
  let total = 0;
  let w = 0;
  // Three words' 4-bit counts (≤ 4 each) add without carry into a nibble (≤ 12), and ten such triples' byte
  // sums (≤ 24 each) without carry into a byte: the bytes are folded once per 30 words instead of once per word.
  const triples = count - (count % 3);
  while (w < triples) {
    const end = Math.min(w + 30, triples);
    let bytes = 0;
    for (; w < end; w += 3) {
      let x = words[w];
      let y = words[w + 1];
      let z = words[w + 2];
      x = (x - ((x >>> 1) & 0x55555555)) | 0;
      y = (y - ((y >>> 1) & 0x55555555)) | 0;
      z = (z - ((z >>> 1) & 0x55555555)) | 0;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      y = (y & 0x33333333) + ((y >>> 2) & 0x33333333);
      z = (z & 0x33333333) + ((z >>> 2) & 0x33333333);
      const nibbles = (x + y + z) | 0;
      bytes = (bytes + (nibbles & 0x0f0f0f0f) + ((nibbles >>> 4) & 0x0f0f0f0f)) | 0;
    }
    const halves = (bytes & 0x00ff00ff) + ((bytes >>> 8) & 0x00ff00ff);
    total += (halves & 0xffff) + (halves >>> 16);
  }
  for (; w < count; w++) {
    let v = words[w];
    v = (v - ((v >>> 1) & 0x55555555)) | 0;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    total += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return total;
}
