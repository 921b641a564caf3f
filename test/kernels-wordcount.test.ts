import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { countWords, wordcount } from '../kernels/wordcount.ts';
import { KernelInputError } from '../kernels/types.ts';
import { runJob } from './kernels-helpers.ts';
import { dataInputsFor } from '../pipeline/data/data-inputs.ts';
import { NON_PUBLIC_ADDRESS } from '../pipeline/data/guarded-fetch.ts';

describe('wordcount kernel', () => {
  const text =
    "The quick brown fox — the QUICK one — jumps over the lazy dog. Don't panic; l’eau est belle, " +
    'ÉCOLE école Straße STRASSE 東京 東京 𝐀𝐁𝐂 𝐀𝐁𝐂 naïve nai\u0308ve 42 42 42 x,y;z the end ';

  it('counts exactly like the serial reference at every shard count', async () => {
    const raw = { text, top: 5 };
    const reference = await wordcount.reference(wordcount.parse(raw));
    for (let tasks = 1; tasks <= text.length + 5; tasks++) {
      expect(await runJob(wordcount, raw, tasks, tasks), `${tasks} tasks`).toEqual(reference);
    }
    expect(reference.top).toEqual([
      ['the', 4],
      ['42', 3],
      ['naïve', 2],
      ['quick', 2],
      ['école', 2],
    ]);
  });

  it('folds case, keeps Unicode words whole and sorts ties by word', async () => {
    const r = await wordcount.reference(wordcount.parse({ text, top: 100 }));
    const map = new Map(r.top);
    expect(map.get("don't")).toBe(1);
    expect(map.get('l’eau')).toBe(1);
    expect(map.get('東京')).toBe(2);
    expect(map.get('𝐀𝐁𝐂')).toBe(2);
    expect(map.get('straße')).toBe(1);
    expect(map.get('strasse')).toBe(1);
    expect(map.get('x')).toBe(1);
    expect(r.totalWords).toBe([...map.values()].reduce((a, b) => a + b, 0));
    expect(r.distinctWords).toBe(map.size);
    const ones = r.top.filter(([, c]) => c === 1).map(([w]) => w);
    expect(ones).toEqual([...ones].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('gives each word to the shard holding its first character', () => {
    const t = 'alpha beta gamma';
    expect([...countWords(t, 0, 3).keys()]).toEqual(['alpha']);
    expect([...countWords(t, 3, 7).keys()]).toEqual(['beta']);
    expect([...countWords(t, 7, 16).keys()]).toEqual(['gamma']);
    expect([...countWords('𝐀𝐁 c', 1, 6).keys()]).toEqual(['c']);
  });

  it('handles words named like object properties', async () => {
    const raw = { text: '__proto__ constructor __proto__ toString', top: 3 };
    const r = await runJob(wordcount, raw, 3);
    expect(r).toEqual(await wordcount.reference(wordcount.parse(raw)));
    expect((r as { top: unknown }).top).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
      ['tostring', 1],
    ]);
  });

  it('fetches a URL the deployment allows, and only public ones by default', async () => {
    const body = 'one two two three three three '.repeat(100);
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      if (req.url === '/text') res.end(body);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const raw = { url: `http://127.0.0.1:${port}/text`, top: 2 };
      await expect(runJob(wordcount, raw, 4)).rejects.toThrow(`wordcount: ${NON_PUBLIC_ADDRESS}`);
      await expect(wordcount.reference(wordcount.parse(raw))).rejects.toThrow(NON_PUBLIC_ADDRESS);
      expect(requests).toBe(0);
      // The test server is on loopback: this deployment lists it.
      const local = dataInputsFor('127.0.0.1');
      const r = await runJob(wordcount, raw, 4, 1, local);
      expect(r).toEqual({ top: [['three', 300], ['two', 200]], distinctWords: 3, totalWords: 600 });
      await expect(wordcount.reference(wordcount.parse({ url: `http://127.0.0.1:${port}/missing` }), undefined, local)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('rejects bad params', () => {
    const bads = [{}, { text: 'a', url: 'http://x' }, { text: 5 }, { url: 'ftp://x/y' }, { url: 'file:///etc/passwd' }, { url: 'not a url' }, { text: 'a', top: 0 }, { text: 'a', top: -1 }, { text: 'a', top: 1.5 }, { text: 'a', lang: 'en' }];
    for (const bad of bads) expect(() => wordcount.parse(bad as Record<string, unknown>), JSON.stringify(bad)).toThrow(KernelInputError);
    expect(() => wordcount.parse({ text: 'a', top: 0 })).toThrow(/top/);
    expect(() => wordcount.parse({ url: 'ftp://x/y' })).toThrow(/url/);
  });
});
