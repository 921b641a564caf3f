// /whisk.system/utils/namespace: the namespace the action runs for (the caller's).
export function main(): { namespace: string | undefined } {
  return { namespace: process.env.__OW_NAMESPACE };
}
