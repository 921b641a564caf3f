// /whisk.system/utils/date: the current date and time.
export function main(): { date: Date } {
  return { date: new Date() };
}
