import type { Chain } from '../model.js';

/**
 * Per-chain lookup so that a packet does not scan every rule of a huge chain (KUBE-SERVICES with
 * 10,000 Services, KUBE-NODEPORTS). A rule that requires one exact destination address is filed
 * under it; else one that requires one exact destination port under that; the rest are generic.
 * The candidates for a packet are the merge of three sorted lists, so rule order is kept.
 */
export interface ChainIndex {
  readonly generic: readonly number[];
  readonly byDst: ReadonlyMap<string, readonly number[]>;
  readonly byDport: ReadonlyMap<number, readonly number[]>;
}

/** Chains shorter than this are scanned rule by rule. */
const INDEX_MIN_RULES = 32;

const cache = new WeakMap<Chain, ChainIndex | null>();

function buildIndex(chain: Chain): ChainIndex {
  const generic: number[] = [];
  const byDst = new Map<string, number[]>();
  const byDport = new Map<number, number[]>();
  for (let i = 0; i < chain.size; i++) {
    const k = chain.keys(i);
    if (k.dst !== undefined) (byDst.get(k.dst) ?? byDst.set(k.dst, []).get(k.dst)!).push(i);
    else if (k.dport !== undefined) (byDport.get(k.dport) ?? byDport.set(k.dport, []).get(k.dport)!).push(i);
    else generic.push(i);
  }
  return { generic, byDst, byDport };
}

/** The index of a chain, or null when the chain is short enough to scan. */
export function chainIndex(chain: Chain): ChainIndex | null {
  let idx = cache.get(chain);
  if (idx === undefined) {
    idx = chain.size >= INDEX_MIN_RULES ? buildIndex(chain) : null;
    cache.set(chain, idx);
  }
  return idx;
}

/** Rule indexes (0-based, ascending) that could match a packet to dst/dport, from `from` on. */
export function candidateRules(chain: Chain, family: 4 | 6, dst: bigint, dport: number | undefined, from: number): readonly number[] | null {
  const idx = chainIndex(chain);
  if (!idx) return null;
  const lists = [idx.generic, idx.byDst.get(`${family}:${dst}`) ?? [], dport === undefined ? [] : idx.byDport.get(dport) ?? []];
  const out: number[] = [];
  const pos = [0, 0, 0];
  for (;;) {
    let best = -1;
    let bestVal = Infinity;
    for (let k = 0; k < 3; k++) {
      const v = lists[k]![pos[k]!];
      if (v !== undefined && v < bestVal) { best = k; bestVal = v; }
    }
    if (best < 0) break;
    pos[best]!++;
    if (bestVal >= from) out.push(bestVal);
  }
  return out;
}
