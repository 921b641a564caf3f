// The data access every task is given (kernels' `DataInputs`), bound to the deployment's URL policy.
import type { DataInputs } from '../../kernels/types.ts';
import { fetchGuarded } from './guarded-fetch.ts';
import { UrlPolicy } from './url-policy.ts';

const byAllowHosts = new Map<string, DataInputs>();

/** Access within the policy of an `allowHosts` setting ('' = public addresses only); one object per setting. */
export function dataInputsFor(allowHosts: unknown = ''): DataInputs {
  const policy = new UrlPolicy(allowHosts);
  let inputs = byAllowHosts.get(policy.allowHosts);
  if (!inputs) {
    inputs = { fetchUrl: (url, limits) => fetchGuarded(url, policy, limits) };
    byAllowHosts.set(policy.allowHosts, inputs);
  }
  return inputs;
}
