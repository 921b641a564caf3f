// Many waiters on one subscriber connection: a channel is subscribed once however many wait on it, and unsubscribed
// when the last of them is done.
import { getSubscriber, type Redis } from './redis.ts';

type Listener = (message: string) => void;

interface Channel {
  listeners: Set<Listener>;
  /** The one listener the connection knows for this channel: it hands each message to every waiter. */
  dispatch: Listener;
  subscribed: Promise<void>;
}

export class ChannelSubscriptions {
  private readonly channels = new Map<string, Channel>();

  constructor(readonly connection: Redis) {}

  /**
   * Calls `listener` with every message on `name` until the returned `stop` is called; resolves once the channel is
   * subscribed, so a message published after that reaches it.
   */
  async listen(name: string, listener: Listener): Promise<() => void> {
    let channel = this.channels.get(name);
    if (!channel) {
      const listeners = new Set<Listener>();
      const dispatch: Listener = (message) => {
        for (const l of listeners) l(message);
      };
      channel = { listeners, dispatch, subscribed: this.connection.subscribe(name, dispatch) };
      this.channels.set(name, channel);
    }
    const c = channel;
    c.listeners.add(listener);
    const stop = (): void => {
      if (!c.listeners.delete(listener) || c.listeners.size > 0) return;
      if (this.channels.get(name) === c) this.channels.delete(name);
      // Given the listener, the client marks the channel as leaving, so a SUBSCRIBE sent after this one is not lost.
      this.connection.unsubscribe(name, c.dispatch).catch(() => {});
    };
    try {
      await c.subscribed;
    } catch (err) {
      // The next waiter subscribes afresh.
      if (this.channels.get(name) === c) this.channels.delete(name);
      stop();
      throw err;
    }
    return stop;
  }
}

const byConnection = new WeakMap<Redis, ChannelSubscriptions>();

/** The subscriptions shared by every waiter on the Redis behind `main` (its subscriber connection). */
export async function subscriptionsFor(main: Redis): Promise<ChannelSubscriptions> {
  const connection = await getSubscriber(main);
  let subs = byConnection.get(connection);
  if (!subs) {
    subs = new ChannelSubscriptions(connection);
    byConnection.set(connection, subs);
  }
  return subs;
}
