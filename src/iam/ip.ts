/**
 * IPv4 / IPv6 CIDR blocks for IpAddress / NotIpAddress, on Node's `net.BlockList` (issue 14:
 * no hand-written address arithmetic).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

/** One CIDR block, ready to test addresses of its family. */
export interface Cidr {
  readonly family: IpFamily;
  readonly block: BlockList;
}

/** The family of an address, or undefined when `text` is not one (zone ids are refused). */
export function ipFamily(text: string): IpFamily | undefined {
  if (isIPv4(text)) return 'ipv4';
  return isIPv6(text) && !text.includes('%') ? 'ipv6' : undefined;
}

/** A CIDR block ("203.0.113.0/24", "2001:db8::/32"; a bare address is a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const bits = slash < 0 ? undefined : text.slice(slash + 1);
  const family = ipFamily(address);
  if (family === undefined) return undefined;
  const width = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= width)) return undefined;
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  return { family, block };
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  // BlockList also matches IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) against IPv4 blocks;
  // a condition compares addresses of the block's own family only.
  return ipFamily(address) === cidr.family && cidr.block.check(address, cidr.family);
}
