// The IPv4 routes of this host, which a node's pod /24 must not overlap where the engine's bridges live on this
// host (Linux): read from /proc/net/route as Docker's own overlap check reads the routing table.
import { readFile } from 'node:fs/promises';
import { formatCidr4 } from '../../api/cidr';

const RTF_UP = 0x0001;
const RTF_REJECT = 0x0200;

/** /proc/net/route stores addresses as little-endian hex words. */
const word = (hex: string) => {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) >>> 0) + ((n >>> 8) & 0xff) * 65536 + ((n >>> 16) & 0xff) * 256 + ((n >>> 24) & 0xff);
};

export interface HostRoute {
  iface: string;
  cidr: string;
}

/**
 * The routes of a /proc/net/route text that carry traffic: up, not the default route, not unreachable/prohibit
 * (RTF_REJECT) and not blackhole (no device: `*`), since those deliver nothing and must not block a range.
 */
export function parseProcNetRoute(text: string): HostRoute[] {
  const out: HostRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flagsHex, , , , maskHex] = f;
    const flags = parseInt(flagsHex, 16);
    if (!(flags & RTF_UP) || flags & RTF_REJECT || iface === '*') continue;
    const mask = word(maskHex);
    const bits = mask === 0 ? 0 : 32 - Math.log2((~mask >>> 0) + 1);
    if (bits === 0 || !Number.isInteger(bits)) continue;
    out.push({ iface, cidr: formatCidr4({ base: word(dest), bits }) });
  }
  return out;
}

/** This host's routes (Linux only; elsewhere an engine's bridges are inside its VM, not on this host). */
export async function hostRoutes(platform: NodeJS.Platform = process.platform, path = '/proc/net/route'): Promise<HostRoute[]> {
  if (platform !== 'linux') return [];
  try {
    return parseProcNetRoute(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}
