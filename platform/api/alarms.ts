// /alarms/v1/feeds/{alarm|once|interval}: where the `/whisk.system/alarms` feed actions reach the alarms provider
// (a real deployment's provider is a service of its own). The request carries the feed message and is authenticated
// with its `authKey`, the key the alarm will fire the trigger with.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.ts';
import { authenticate, bodyObject } from './http.ts';
import { notFound } from '../errors.ts';
import type { FeedKind } from '../alarms/schedule.ts';

const FEEDS: FeedKind[] = ['alarm', 'once', 'interval'];

export function registerAlarms(app: FastifyInstance, ctx: ApiContext): void {
  app.post('/alarms/v1/feeds/:feed', async (req, reply) => {
    const caller = authenticate(ctx, req);
    const feed = (req.params as { feed: string }).feed as FeedKind;
    if (!FEEDS.includes(feed)) throw notFound();
    const { status, body } = ctx.alarms.handle(feed, caller, bodyObject(req));
    return reply.code(status).send(body);
  });
}
