import { createHash } from 'node:crypto';

/** Lowercase protocol word as kube-proxy writes it into chain hashes and `-p`. */
export type ProtoWord = 'tcp' | 'udp' | 'sctp';

// RFC 4648 §6 alphabet; Go's base32.StdEncoding, which kube-proxy uses (pkg/proxy/iptables/proxier.go).
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * First 16 characters of the RFC 4648 base32 encoding of sha256(input). 16 characters are 80 bits,
 * i.e. exactly the first 10 digest bytes, so padding never matters (kube-proxy: portProtoHash).
 */
function hash16(input: string): string {
  const digest = createHash('sha256').update(input, 'utf8').digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    buffer = ((buffer << 8) | (digest[i] ?? 0)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * `ServicePortName.String()`: "ns/name:port", or "ns/name" when the port is unnamed (current
 * kube-proxy; ≤1.17 wrote a trailing colon, see kube-proxy.md §0).
 */
export function servicePortName(namespace: string, name: string, portName?: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** Go's net.JoinHostPort: IPv6 literals go in brackets. */
export function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Suffix shared by KUBE-SVC/SVL/EXT/FW/XLB of one service port: hash of spn + proto, no separator. */
export function servicePortChainSuffix(spn: string, proto: ProtoWord): string {
  return hash16(spn + proto);
}

/** KUBE-SEP suffix: hash of spn + proto + JoinHostPort(ip, port) (kube-proxy.md §2). */
export function endpointChainSuffix(spn: string, proto: ProtoWord, endpoint: string): string {
  return hash16(spn + proto + endpoint);
}

/** `KUBE-SVC-<H>`: the Cluster-policy chain. */
export function svcChainName(spn: string, proto: ProtoWord): string {
  return `KUBE-SVC-${servicePortChainSuffix(spn, proto)}`;
}

/** `KUBE-SVL-<H>`: the Local-policy chain (1.24+). */
export function svlChainName(spn: string, proto: ProtoWord): string {
  return `KUBE-SVL-${servicePortChainSuffix(spn, proto)}`;
}

/** `KUBE-EXT-<H>`: entry for external destinations (1.24+). */
export function extChainName(spn: string, proto: ProtoWord): string {
  return `KUBE-EXT-${servicePortChainSuffix(spn, proto)}`;
}

/** `KUBE-FW-<H>`: loadBalancerSourceRanges chain. */
export function fwChainName(spn: string, proto: ProtoWord): string {
  return `KUBE-FW-${servicePortChainSuffix(spn, proto)}`;
}

/** `KUBE-XLB-<H>`: the externalTrafficPolicy=Local chain of ≤1.23. */
export function xlbChainName(spn: string, proto: ProtoWord): string {
  return `KUBE-XLB-${servicePortChainSuffix(spn, proto)}`;
}

/** `KUBE-SEP-<H'>` for one endpoint, `endpoint` being JoinHostPort(ip, port). */
export function sepChainName(spn: string, proto: ProtoWord, endpoint: string): string {
  return `KUBE-SEP-${endpointChainSuffix(spn, proto, endpoint)}`;
}
