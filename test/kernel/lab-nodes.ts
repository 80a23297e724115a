import { Prober } from './diff-run.js';
import { fixtureNode, type FixtureNodeName } from './fixture-nodes.js';
import type { Lab } from './lab.js';
import { buildNode, type NodeLab } from './node-lab.js';

/** A built node with its prober, for suites that load many rule sets into one namespace. */
export interface LabNode {
  readonly node: NodeLab;
  readonly prober: Prober;
}

export type LabNodeName = FixtureNodeName;

const built = new WeakMap<Lab, Map<string, Record<LabNodeName, LabNode>>>();

/**
 * The two generic lab nodes (from fixtures/host: a Calico IPIP node and an AWS VPC CNI–like node),
 * built once per lab and slot with empty rules; callers load their own with loadRules and reset the
 * prober. Suites running concurrently use different slots.
 */
export function labNodes(lab: Lab, slot: string): Record<LabNodeName, LabNode> {
  let slots = built.get(lab);
  if (!slots) {
    slots = new Map();
    built.set(lab, slots);
  }
  let nodes = slots.get(slot);
  if (!nodes) {
    const make = (name: LabNodeName): LabNode => {
      const node = buildNode(lab, { name: `${slot}-${name}`, iptablesSave: '*nat\nCOMMIT\n', dumps: fixtureNode(name).dumps });
      return { node, prober: new Prober(node) };
    };
    nodes = { calico: make('calico'), aws: make('aws') };
    slots.set(slot, nodes);
  }
  return nodes;
}
