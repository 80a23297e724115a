import { expect, test } from 'vitest';
import type { Cluster, Node } from '../../src/k8s/model.js';
import { instanceIdOf, regionFromNodes } from '../../src/capture/scope.js';

function node(providerID: string | undefined): Node {
  return { name: 'n', addresses: [], providerID, labels: {}, podCIDRs: [], ready: true, source: 't' };
}
const cluster = (nodes: Node[]): Cluster => ({ services: [], endpointSlices: [], nodes, pods: [], targetGroupBindings: [], problems: [] });

test.each([
  { name: 'an AZ', ids: ['aws:///us-west-2a/i-0a3f9c27e51b84d06'], want: 'us-west-2' },
  { name: 'a Local Zone', ids: ['aws:///us-west-2-lax-1a/i-0a3f9c27e51b84d06'], want: 'us-west-2' },
  { name: 'GovCloud', ids: ['aws:///us-gov-west-1b/i-0123456789abcdef0'], want: 'us-gov-west-1' },
  { name: 'China', ids: ['aws:///cn-north-1a/i-0123456789abcdef0'], want: 'cn-north-1' },
  { name: 'the first AWS node wins over others', ids: ['gce://p/z/n', 'aws:///eu-central-1c/i-0123456789abcdef0'], want: 'eu-central-1' },
  { name: 'no AWS node', ids: ['gce://project/us-central1-a/node-1', undefined], want: undefined },
])('region from providerID: $name', ({ ids, want }) => {
  expect(regionFromNodes(cluster(ids.map(node)))).toBe(want);
});

test('instance ID from providerID', () => {
  expect(instanceIdOf('aws:///us-west-2a/i-0a3f9c27e51b84d06')).toBe('i-0a3f9c27e51b84d06');
  expect(instanceIdOf('aws:///fargate-ip-10-0-1-5')).toBeUndefined();
});
