// Text files whose records test the cutting rule: LF and CRLF, empty lines, 2- to 4-byte characters, no final newline.
export const LINES = ['alpha', '', 'héllo wörld', '日本語のテキスト', 'emoji 😀 and 🚀', 'x', 'the longest line of them all, plain ascii', 'ẞ€', ''];

export const FILES: Record<string, string> = {
  'lf.txt': LINES.join('\n') + '\n',
  'crlf.txt': LINES.join('\r\n') + '\r\n',
  'no-final-newline.txt': LINES.slice(0, -1).join('\n') + '\nlast line ✓',
  // Small, for every chunk size from one byte: LF and CRLF mixed, empty lines, 2- to 4-byte characters, no final newline.
  'tiny.txt': 'a\n\né😀\r\nxyz\n日本\r\n\r\nq€',
};
