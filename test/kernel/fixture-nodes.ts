import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NodeDumps } from './node-lab.js';

/** A node described by its fixture dumps (fixtures/host), with the links the lab builds from them. */
export interface FixtureNode {
  readonly dumps: NodeDumps;
  readonly uplink: string;
  /** Pod address → the node's veth toward it. */
  readonly pods: ReadonlyMap<string, string>;
}

export type FixtureNodeName = 'calico' | 'aws';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../fixtures/host/${name}`, import.meta.url)), 'utf8');

/** The Calico IPIP node and the AWS VPC CNI–like node of fixtures/host (see its README). */
export function fixtureNode(name: FixtureNodeName): FixtureNode {
  if (name === 'calico') {
    return {
      dumps: { addrJson: fixture('calico-node-addr.json'), routeJson: fixture('calico-node-route.json') },
      uplink: 'eth0',
      pods: new Map([['10.233.98.39', 'calie1a2b3c4d5e'], ['10.233.98.40', 'cali7f00aa11b22']]),
    };
  }
  return {
    dumps: { addrJson: fixture('aws-node-addr.json'), routeJson: fixture('aws-node-route.json') },
    uplink: 'eth0',
    pods: new Map([['10.0.1.77', 'eni3c1f0a9b2d4']]),
  };
}
