import type { ResolvedTarget } from './targets.js';

/** A part of one target group's flows: NLB node AZ → target, as the exact fraction num/den. */
export interface FlowPart {
  /** AZ of the NLB node that handles the flow. */
  readonly az: string;
  readonly target: ResolvedTarget;
  readonly num: number;
  readonly den: number;
}

/** How one target group spreads its flows, or why kpath cannot say. */
export type Distribution =
  | { readonly parts: readonly FlowPart[]; readonly isFailOpen: boolean; readonly notes: readonly string[] }
  | { readonly unknown: string };

/**
 * Spreads a target group's flows over NLB nodes and targets (aws-nlb.md §2.1):
 * - only healthy targets get new flows; with none healthy the NLB fails open to every registered target;
 * - targets in AZs the LB has not enabled get nothing (Target.NotInUse);
 * - cross-zone off: each enabled AZ with ≥1 receiving target stays in DNS and gets an equal share of
 *   clients, and its node spreads them evenly over the receiving targets in its own AZ;
 * - cross-zone on: every enabled AZ gets an equal share, and each node spreads over all receiving targets.
 * Shares are kept as integer fractions so that they sum to exactly 1 before the one division.
 */
export function distributeFlows(
  targets: readonly ResolvedTarget[], zones: readonly string[], isCrossZone: boolean,
): Distribution {
  if (zones.length === 0) return { unknown: 'the load balancer lists no AvailabilityZones' };
  const healthy = targets.filter((t) => t.isHealthy);
  const isFailOpen = healthy.length === 0;
  const notes: string[] = [];
  let receivers = isFailOpen ? targets.filter((t) => t.isRegistered) : healthy;
  if (isFailOpen && receivers.length > 0) notes.push('no healthy target: the NLB fails open to every registered target');
  for (const t of targets) if (!receivers.includes(t)) notes.push(`${t.notes[0] ?? `target ${t.id} is ${t.health}`}: no new flows`);
  const enabled = new Set(zones);
  const offZone = receivers.filter((t) => t.az !== undefined && !enabled.has(t.az));
  if (offZone.length > 0) {
    notes.push(`target${offZone.length > 1 ? 's' : ''} ${offZone.map((t) => `${t.id} (${t.az})`).join(', ')} in an AZ the NLB does not use: no flows`);
    receivers = receivers.filter((t) => !offZone.includes(t));
  }
  if (receivers.length === 0) return { unknown: targets.length === 0 ? 'no registered targets' : 'no target can receive flows (all draining, unused or in AZs the NLB does not use)' };
  if (isCrossZone) {
    const den = zones.length * receivers.length;
    return { parts: zones.flatMap((az) => receivers.map((target) => ({ az, target, num: 1, den }))), isFailOpen, notes };
  }
  const noAz = receivers.filter((t) => t.az === undefined);
  if (noAz.length > 0) return { unknown: `cross-zone is off and the AZ of target ${noAz.map((t) => t.id).join(', ')} is unknown` };
  const live = zones.filter((az) => receivers.some((t) => t.az === az));
  const dark = zones.filter((az) => !live.includes(az));
  if (dark.length > 0) notes.push(`no receiving target in ${dark.join(', ')}: that AZ's NLB address leaves DNS (cross-zone off)`);
  return {
    parts: live.flatMap((az) => {
      const local = receivers.filter((t) => t.az === az);
      return local.map((target) => ({ az, target, num: 1, den: live.length * local.length }));
    }),
    isFailOpen, notes,
  };
}
