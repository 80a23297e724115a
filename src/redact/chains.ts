import { createHmac } from 'node:crypto';
import {
  extChainName, fwChainName, sepChainName, svcChainName, svlChainName, xlbChainName, type ProtoWord,
} from '../kube/chain-hash.js';
import { parseHashedChain, type ChainIndex, type ChainKind } from '../kube/chain-names.js';
import { rewriteAddress, rewriteWord, type Rewriter } from './text.js';

const BUILDERS: Readonly<Record<Exclude<ChainKind, 'SEP'>, (spn: string, proto: ProtoWord) => string>> = {
  SVC: svcChainName, SVL: svlChainName, EXT: extChainName, FW: fwChainName, XLB: xlbChainName,
};
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ns/name[:port]` with every part rewritten like any other word (≤1.17's bare colon stays). */
export function rewriteSpn(rw: Rewriter, spn: string): string {
  const slash = spn.indexOf('/');
  const colon = spn.indexOf(':', slash);
  const ns = spn.slice(0, slash);
  const name = colon < 0 ? spn.slice(slash + 1) : spn.slice(slash + 1, colon);
  const port = colon < 0 ? undefined : spn.slice(colon + 1);
  return `${rewriteWord(rw, ns, false)}/${rewriteWord(rw, name, false)}${port === undefined ? '' : `:${port === '' ? '' : rewriteWord(rw, port, false)}`}`;
}

/** `10.0.1.5:8080` / `[fd00::1]:80` with the address rewritten. */
export function rewriteEndpoint(rw: Rewriter, ep: string): string {
  const m = /^\[(.+)\]:(\d+)$/.exec(ep) ?? /^([^:]+):(\d+)$/.exec(ep);
  if (!m) return ep;
  const ip = rewriteAddress(rw, m[1]!);
  return ip.includes(':') ? `[${ip}]:${m[2]}` : `${ip}:${m[2]}`;
}

/**
 * The redacted name of a hashed kube-proxy chain. A chain named by hash gets kube-proxy's hash of
 * the redacted Service port (and endpoint), so the redacted snapshot names its chains exactly as
 * kube-proxy would for the redacted Services; any other hashed chain gets a keyed pseudonym of the
 * same shape, so it stays unmatched (and consistent across nodes).
 */
export function chainRenamer(rw: Omit<Rewriter, 'chain'>, index: ChainIndex, key: string): { rename: (name: string) => string; mapping: Map<string, string> } {
  const mapping = new Map<string, string>();
  const full: Rewriter = { ...rw, chain: (n) => rename(n) };
  function rename(name: string): string {
    const known = mapping.get(name);
    if (known !== undefined) return known;
    const p = parseHashedChain(name);
    if (!p) return name;
    const id = index.get(name);
    let out: string;
    if (id?.how === 'hash') {
      const spn = rewriteSpn(full, id.servicePort.spn);
      out = id.kind === 'SEP' ? sepChainName(spn, id.servicePort.protocol, rewriteEndpoint(full, id.endpoint ?? ''))
        : BUILDERS[id.kind](spn, id.servicePort.protocol);
    } else {
      const d = createHmac('sha256', key).update(`kpath-redact chain ${p.suffix}`).digest();
      let suffix = '';
      for (let i = 0; i < 16; i++) suffix += B32[d[i]! & 31];
      out = `KUBE-${p.kind}-${suffix}`;
    }
    mapping.set(name, out);
    return out;
  }
  return { rename, mapping };
}
