import type { TracePath, Verdict } from './model.js';

function pct(x: number): string {
  const v = Math.round(x * 1000) / 10;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)}%`;
}

/** Formats a share (0..1) as a percentage for people. */
export function formatShare(x: number): string {
  return pct(x);
}

/**
 * The client-IP verdict over all paths: of the traffic that is delivered, which share reaches its
 * endpoint with the original client address at L4. Unknown paths make the verdict unknown; an
 * all-lost verdict becomes proxy-protocol when every delivered path carries a PROXY v2 header.
 */
export function computeVerdict(paths: readonly TracePath[], client: string, reasons: readonly string[], fix?: string): Verdict {
  const delivered = paths.filter((p) => p.disposition === 'delivered');
  const deliveredShare = delivered.reduce((s, p) => s + p.probability, 0);
  const unknownShare = paths.filter((p) => p.disposition === 'unknown').reduce((s, p) => s + p.probability, 0);
  const preserved = delivered.filter((p) => p.clientIpPreserved === true).reduce((s, p) => s + p.probability, 0);
  const undecided = delivered.filter((p) => p.clientIpPreserved === null).reduce((s, p) => s + p.probability, 0);
  const preservedShare = deliveredShare > 0 ? preserved / deliveredShare : 0;
  const withFix = (v: Omit<Verdict, 'fix'>): Verdict => (fix && v.clientIp !== 'preserved' ? { ...v, fix } : v);
  if (deliveredShare === 0) {
    const summary = unknownShare > 0
      ? `kpath cannot tell where ${pct(unknownShare)} of the traffic goes; none is shown delivered`
      : 'no path delivers the packet: the client IP question does not arise';
    return withFix({ clientIp: 'unknown', preservedShare: 0, summary, reasons });
  }
  const seen = [...new Set(delivered.filter((p) => p.clientIpPreserved === false).map((p) => p.sourceSeenByEndpoint?.ip).filter((x): x is string => !!x))];
  if (unknownShare > 1e-12 || undecided > 1e-12) {
    return withFix({
      clientIp: 'unknown', preservedShare,
      summary: `${pct(unknownShare + undecided)} of the traffic has an outcome kpath cannot know; of the rest, ${client} is kept for ${pct(preservedShare)}`,
      reasons,
    });
  }
  if (preservedShare > 1 - 1e-9) {
    return { clientIp: 'preserved', preservedShare: 1, summary: `every delivered connection reaches its endpoint from ${client}`, reasons };
  }
  if (preservedShare < 1e-9) {
    const pp = delivered.every((p) => p.proxyProtocol);
    if (pp) {
      return withFix({ clientIp: 'proxy-protocol', preservedShare: 0, summary: `endpoints see ${seen.join(', ')} at L4; ${client} travels in a PROXY v2 header`, reasons });
    }
    return withFix({ clientIp: 'lost', preservedShare: 0, summary: `endpoints never see ${client}: they see ${seen.join(', ')}`, reasons });
  }
  return withFix({
    clientIp: 'partial', preservedShare,
    summary: `${pct(preservedShare)} of delivered traffic keeps ${client}; the rest arrives from ${seen.join(', ')}`,
    reasons,
  });
}
