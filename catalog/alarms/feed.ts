// What the three alarm feeds share: they hand the feed message (lifecycleEvent, triggerName, authKey and the
// feed's parameters) to the alarms provider that runs beside the API, which validates it, keeps the schedule and
// fires the trigger with the trigger owner's key. As in OpenWhisk, the feed action itself keeps no state.
export type FeedKind = 'alarm' | 'once' | 'interval';

export async function forwardToProvider(feed: FeedKind, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const apiHost = (process.env.__OW_API_HOST ?? '').replace(/\/+$/, '');
  const authKey = typeof params.authKey === 'string' ? params.authKey : '';
  if (!authKey) return { error: 'no authKey: the feed is called with the trigger owner\'s key as `authKey`' };
  let response: Response;
  try {
    response = await fetch(`${apiHost}/alarms/v1/feeds/${feed}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(authKey).toString('base64')}` },
      body: JSON.stringify(params),
    });
  } catch (err) {
    return { error: `the alarms provider did not answer: ${(err as Error).message}` };
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text };
  }
  if (!response.ok) return { error: body.error ?? `the alarms provider answered ${response.status}` };
  return body;
}
