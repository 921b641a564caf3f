// The CLI's target is the host's: one resolution for the command line and the library.
export { DEFAULT_API_HOST, createClient, isLocalTarget, resolveTarget, type Target, type TargetFlags } from '../host/target.ts';
