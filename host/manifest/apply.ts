// Applies a deployment plan with the openwhisk client, overwriting what exists.
import { readFileSync } from 'node:fs';
import AdmZip from 'adm-zip';
import type openwhisk from 'openwhisk';
import type { ActionSource, DeploymentPlan, Dict, PlannedAction } from './deployment.ts';
import { describeOwError } from '../../pipeline/openwhisk/ow-error.ts';

export interface DeployEvent {
  kind: 'package' | 'action' | 'trigger' | 'feed' | 'rule';
  name: string;
}

function keyValues(dict: Dict): { key: string; value: unknown }[] {
  return Object.entries(dict).map(([key, value]) => ({ key, value }));
}

function readSource(source: ActionSource): { code: string; binary: boolean } {
  switch (source.type) {
    case 'inline':
      return { code: source.code, binary: false };
    case 'file':
      return { code: readFileSync(source.path, 'utf8'), binary: false };
    case 'zip':
      return { code: readFileSync(source.path).toString('base64'), binary: true };
    case 'dir': {
      const zip = new AdmZip();
      zip.addLocalFolder(source.path);
      return { code: zip.toBuffer().toString('base64'), binary: true };
    }
  }
}

function actionBody(action: PlannedAction): Dict {
  const { exec } = action;
  let wire: Dict;
  if ('components' in exec) {
    wire = { kind: 'sequence', components: exec.components };
  } else {
    wire = { kind: exec.kind };
    if ('image' in exec) wire.image = exec.image;
    if (exec.source) Object.assign(wire, readSource(exec.source));
    if (exec.main !== undefined) wire.main = exec.main;
  }
  const body: Dict = { exec: wire, parameters: keyValues(action.parameters), annotations: keyValues(action.annotations) };
  if (Object.keys(action.limits).length > 0) body.limits = action.limits;
  return body;
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Error(`deploying ${what}: ${describeOwError(err)}`, { cause: err });
  }
}

/** Creates or overwrites packages, actions (sequences last), triggers and rules, in that order. */
export async function deploy(
  plan: DeploymentPlan,
  client: openwhisk.Client,
  onEvent: (event: DeployEvent) => void = () => {},
): Promise<DeployEvent[]> {
  const done: DeployEvent[] = [];
  const record = (event: DeployEvent): void => {
    done.push(event);
    onEvent(event);
  };
  for (const pkg of plan.packages) {
    await step(`package ${pkg.name}`, () =>
      client.packages.create({
        name: pkg.name,
        overwrite: true,
        package: { parameters: keyValues(pkg.parameters), annotations: keyValues(pkg.annotations), publish: pkg.publish },
      }),
    );
    record({ kind: 'package', name: pkg.name });
  }
  for (const action of plan.actions) {
    // An object `action` is sent as the request body as it is.
    const body = actionBody(action) as unknown as openwhisk.Action;
    await step(`action ${action.name}`, () => client.actions.create({ name: action.name, action: body, overwrite: true }));
    record({ kind: 'action', name: action.name });
  }
  for (const trigger of plan.triggers) {
    await step(`trigger ${trigger.name}`, () =>
      client.triggers.create({
        name: trigger.name,
        overwrite: true,
        trigger: { parameters: keyValues(trigger.parameters), annotations: keyValues(trigger.annotations) },
      }),
    );
    record({ kind: 'trigger', name: trigger.name });
    if (trigger.feed !== undefined) {
      const feed = trigger.feed;
      // A redeploy replaces the feed as wskdeploy does: the old registration goes first (none on a first deploy).
      await client.feeds.delete({ name: feed, trigger: trigger.name }).catch(() => undefined);
      await step(`feed ${feed} for trigger ${trigger.name}`, () =>
        client.feeds.create({ name: feed, trigger: trigger.name, params: trigger.parameters }),
      );
      record({ kind: 'feed', name: feed });
    }
  }
  for (const rule of plan.rules) {
    await step(`rule ${rule.name}`, async () => {
      await client.rules.create({ name: rule.name, trigger: rule.trigger, action: rule.action, overwrite: true });
      // Overwriting a disabled rule keeps it disabled; a deployed manifest's rules are meant to fire.
      await client.rules.enable({ name: rule.name });
    });
    record({ kind: 'rule', name: rule.name });
  }
  return done;
}
