import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AwsDumps, FileJson } from '../../src/snapshot/model.js';

const root = new URL('../../', import.meta.url);

/** Reads fixtures/aws/NAME as a FileJson whose path is repo-relative, as errors should name it. */
export function jsonFixture(name: string): FileJson {
  const path = `fixtures/aws/${name}`;
  return { path, json: JSON.parse(readFileSync(new URL(path, root), 'utf8')) as unknown };
}

function dir(base: string, sub: string): Map<string, FileJson> {
  const out = new Map<string, FileJson>();
  const d = new URL(`fixtures/aws/${base}/${sub}/`, root);
  if (!existsSync(d)) return out;
  for (const f of readdirSync(d).sort()) if (f.endsWith('.json')) out.set(f.slice(0, -5), jsonFixture(`${base}/${sub}/${f}`));
  return out;
}

function file(base: string, name: string): FileJson | undefined {
  return existsSync(new URL(`fixtures/aws/${base}/${name}`, root)) ? jsonFixture(`${base}/${name}`) : undefined;
}

/** A fixtures/aws/<base>/ folder laid out like a snapshot's aws/ folder (shared/spec/snapshot.md). */
export function awsFixture(base: string): AwsDumps {
  return {
    loadBalancers: file(base, 'load-balancers.json'),
    targetGroups: file(base, 'target-groups.json'),
    listeners: dir(base, 'listeners'),
    targetHealth: dir(base, 'target-health'),
    targetGroupAttributes: dir(base, 'target-group-attributes'),
    loadBalancerAttributes: dir(base, 'load-balancer-attributes'),
    tags: file(base, 'tags.json'),
    networkInterfaces: file(base, 'network-interfaces.json'),
  };
}

/** An aws/ folder with nothing captured. */
export const noDumps: AwsDumps = {
  listeners: new Map(), targetHealth: new Map(), targetGroupAttributes: new Map(), loadBalancerAttributes: new Map(),
};

type MapSlot = 'listeners' | 'targetHealth' | 'targetGroupAttributes' | 'loadBalancerAttributes';

/** A copy of `d` with per-resource file `name` of `slot` replaced (json) or removed (undefined). */
export function withFile(d: AwsDumps, slot: MapSlot, name: string, json: unknown): AwsDumps {
  const m = new Map(d[slot]);
  if (json === undefined) m.delete(name);
  else m.set(name, { path: `test:${slot}/${name}.json`, json });
  return { ...d, [slot]: m };
}

/** `describe-*-attributes` output from a plain object. */
export function attributes(kv: Record<string, string>): unknown {
  return { Attributes: Object.entries(kv).map(([Key, Value]) => ({ Key, Value })) };
}

/** Rewrites one top-level or per-resource file's JSON (a deep copy is passed in). */
export function editJson(f: FileJson, edit: (json: any) => void): FileJson { // test-only JSON surgery: `any` stays out of src/
  const json: unknown = structuredClone(f.json);
  edit(json);
  return { path: f.path, json };
}
