// The CLI's target is the host's: one resolution for the command line and the library. The command line also says,
// once, which platform it talks to when nothing named one (no flag, no __OW_API_HOST, no property file).
import { resolveTarget as resolveHostTarget, type Target, type TargetFlags } from '../host/target/target.ts';

export { DEFAULT_API_HOST, createClient, isLocalTarget, type Target, type TargetFlags } from '../host/target/target.ts';

let told = false;

export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): Target {
  const target = resolveHostTarget(flags, env);
  if (target.sources.apihost === 'default' && !told) {
    told = true;
    console.error(`supercompute: talking to ${target.apihost}, the embedded platform's address (nothing names another: --apihost, __OW_API_HOST or ~/.wskprops); \`supercompute platform\` starts it`);
  }
  return target;
}
