// The keys failures are counted under. Emails and client ids are hashed: a counter must not
// store what someone typed (people type passwords into the email field), and the keys stay short
// and safe whatever the input holds. IPv6 addresses count per /64, the block one host usually has.
import { hash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export const digest = (value: string): string => hash('sha256', value, 'base64url').slice(0, 32);

/** The eight groups of an IPv6 address, zero-padded; undefined for anything else. */
function ipv6Groups(address: string): string[] | undefined {
  const [head = '', tail] = address.split('::');
  const split = (part: string) => (part ? part.split(':') : []);
  const left = split(head);
  const right = tail === undefined ? [] : split(tail);
  const last = (tail === undefined ? left : right).at(-1);
  if (last && isIPv4(last)) {
    // A trailing dotted quad (::ffff:10.0.0.1) is two groups.
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    const groups = [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    (tail === undefined ? left : right).splice(-1, 1, ...groups);
  }
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.padStart(4, '0').toLowerCase());
}

/** What failures from one source count under: the IPv4 address, or the IPv6 /64. */
export function addressBucket(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIPv4(plain)) return plain;
  if (isIPv6(plain)) {
    const groups = ipv6Groups(plain.split('%')[0]!);
    if (groups) return `${groups.slice(0, 4).join(':')}::/64`;
  }
  return `other:${digest(address)}`;
}
