// kube-proxy writes `--probability` as fmt.Sprintf("%0.10f", 1.0/float64(n)) (computeProbability in
// pkg/proxy/iptables/proxier.go). libxt_statistic stores lround(p * 2^31) and iptables-save prints
// that stored value / 2^31 with "%.11f" (kube-proxy.md §1.3: 1/3 → 0.33333333349).

const TWO_31 = 2147483648;
const TWO_31_BIG = 2147483648n;
const TEN_11 = 100000000000n;

/** The probability text kube-proxy writes for the i-th of the remaining n endpoints: 1/n, 10 decimals. */
export function writtenProbability(n: number): string {
  return (1 / n).toFixed(10);
}

/** What iptables-save prints back for a written probability: the kernel's quantised value, 11 decimals. */
export function savedProbability(written: string): string {
  const stored = Math.round(Number(written) * TWO_31);
  // Exact decimal expansion of stored / 2^31, rounded half-to-even at 11 places as glibc printf does.
  const scaled = BigInt(stored) * TEN_11;
  let quotient = scaled / TWO_31_BIG;
  const twiceRemainder = (scaled % TWO_31_BIG) * 2n;
  if (twiceRemainder > TWO_31_BIG || (twiceRemainder === TWO_31_BIG && quotient % 2n === 1n)) quotient += 1n;
  const whole = quotient / TEN_11;
  const fraction = (quotient % TEN_11).toString().padStart(11, '0');
  return `${whole}.${fraction}`;
}

/** Memoised `savedProbability(writtenProbability(n))`; the map is owned by one render call. */
export function savedProbabilityFor(n: number, cache: Map<number, string>): string {
  let text = cache.get(n);
  if (text === undefined) {
    text = savedProbability(writtenProbability(n));
    cache.set(n, text);
  }
  return text;
}
