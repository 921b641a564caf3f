// Which hosts a job's URL inputs may reach: public addresses always; non-public ones (loopback, private, link-local,
// metadata services…) only when the deployment lists them in its `allowHosts` setting, by host name, address or CIDR.
import { BlockList, isIP } from 'node:net';
import { embeddedIpv4, isPublicAddress } from './address-ranges.ts';

/** The deployment's `allowHosts` setting is not a list of host names, addresses and CIDRs. */
export class AllowHostsError extends Error {
  override readonly name = 'AllowHostsError';
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * A name whose last label is a number is an IPv4 address to URL parsers (WHATWG URL: "ends in a number"), never a host
 * name: `300.1.1.1` is an address out of range, not a name.
 */
const NUMERIC_LAST_LABEL = /(^|\.)(\d+|0x[0-9a-f]*)$/;

/** A host as the policy compares it: lower case, no brackets around an IPv6 address, no trailing dot. */
export function canonicalHost(host: string): string {
  const h = host.trim().toLowerCase();
  const unbracketed = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}

/** The entries of an `allowHosts` setting: a string of entries separated by commas or white space, or a list. */
export function allowHostEntries(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : undefined;
  if (!items) throw new AllowHostsError("setting 'allowHosts' must be a string or a list of strings");
  return items.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== '');
}

export class UrlPolicy {
  private readonly hosts = new Set<string>();
  private readonly networks = new BlockList();
  /** The setting as given, normalised: entries joined by commas. */
  readonly allowHosts: string;

  /** Throws AllowHostsError naming the first entry that is neither a host name, an IP address nor a CIDR. */
  constructor(allowHosts: unknown = '') {
    const entries = allowHostEntries(allowHosts);
    for (const entry of entries) this.add(entry);
    this.allowHosts = entries.join(',');
  }

  private add(entry: string): void {
    const bad = () => new AllowHostsError(`setting 'allowHosts': ${JSON.stringify(entry)} is not a host name, IP address or CIDR`);
    const slash = entry.indexOf('/');
    const address = canonicalHost(slash < 0 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    if (slash >= 0) {
      const prefix = Number(entry.slice(slash + 1));
      const max = family === 4 ? 32 : 128;
      if (family === 0 || !/^\d{1,3}$/.test(entry.slice(slash + 1)) || prefix > max) throw bad();
      this.networks.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (family !== 0) {
      this.networks.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    } else if (NUMERIC_LAST_LABEL.test(address)) {
      throw new AllowHostsError(`setting 'allowHosts': ${JSON.stringify(entry)} is not a valid IP address`);
    } else if (HOST_NAME.test(address)) {
      this.hosts.add(address);
    } else {
      throw bad();
    }
  }

  /** Whether the deployment lists this host by name, so whatever it resolves to may be reached. */
  allowsHostName(host: string): boolean {
    return this.hosts.has(canonicalHost(host));
  }

  /** Whether an address a URL's host resolved to may be reached: public, or inside a listed address or CIDR. */
  allowsAddress(address: string): boolean {
    const a = canonicalHost(address).split('%')[0];
    if (isPublicAddress(a)) return true;
    const family = isIP(a);
    if (family === 0) return false;
    if (this.networks.check(a, family === 4 ? 'ipv4' : 'ipv6')) return true;
    const v4 = family === 6 ? embeddedIpv4(a) : undefined;
    return v4 !== undefined && this.networks.check(v4, 'ipv4');
  }
}
