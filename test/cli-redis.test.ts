// Finding Redis for a run: an answering one is used, else a private redis-server, else a clear message.
import { describe, it, expect } from 'vitest';
import { ensureRedis, pingRedis, findOnPath, startRedisServer } from '../host/local/redis-server.ts';
import { freePort } from '../host/local/free-port.ts';

const redisServer = findOnPath('redis-server');
if (!redisServer) throw new Error('these tests need redis-server on PATH (Debian package redis-server)');

describe('Redis for a run', () => {
  it('starts a private redis-server when none answers, and stops it', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const redis = await ensureRedis({ env: { PATH: process.env.PATH }, defaultUrl: dead });
    try {
      expect(redis.started).toBe(true);
      expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await pingRedis(redis.url)).toBe(true);
      const again = await ensureRedis({ env: { REDIS_URL: redis.url } });
      expect(again).toMatchObject({ url: redis.url, started: false });
    } finally {
      await redis.stop();
    }
    expect(await pingRedis(redis.url)).toBe(false);
  });

  it('starts one on a given port', async () => {
    const port = await freePort();
    const redis = await startRedisServer(redisServer!, port);
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
      expect(await pingRedis(redis.url)).toBe(true);
    } finally {
      await redis.stop();
    }
  });

  it('says how to get Redis when none answers and redis-server is not installed', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ env: { PATH: '/nonexistent' }, defaultUrl: dead })).rejects.toThrow(
      /No Redis answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed\. Install Redis/,
    );
  });

  it('does not replace a REDIS_URL that does not answer', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    await expect(ensureRedis({ env: { PATH: process.env.PATH, REDIS_URL: dead } })).rejects.toThrow(
      new RegExp(`No Redis answers at ${dead} \\(from REDIS_URL\\)`),
    );
  });
});
