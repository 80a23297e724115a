import { isAscii } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KpathError } from '../errors.js';
import { parseJsonListSelected, type ListItemSelector } from './json-list.js';
import { parseJsonText, parseYamlDocs } from './json-text.js';
import type { AwsDumps, FileJson, FileText, NodeDumps, Snapshot, SnapshotGap } from './model.js';

const NODE_FILES: Readonly<Record<string, keyof Omit<NodeDumps, 'name'>>> = {
  'iptables-save.txt': 'iptablesSave',
  'ip6tables-save.txt': 'ip6tablesSave',
  'ipset-save.txt': 'ipsetSave',
  'ipvsadm.txt': 'ipvsadm',
  'nft-ruleset.json': 'nftRuleset',
  'ip-addr.json': 'ipAddr',
  'ip-route.json': 'ipRoute',
};

/**
 * A file's text. Dumps are nearly always pure ASCII, and for those latin1 decoding gives the same
 * string as UTF-8 at a fraction of the cost (bench: 12 MB iptables-save 16 ms → 3 ms); anything
 * with a byte above 0x7f is decoded as UTF-8.
 */
export function readTextFile(path: string): string {
  const buf = readFileSync(path);
  return isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8');
}

function readText(path: string): FileText | undefined {
  return existsSync(path) ? { path, text: readTextFile(path) } : undefined;
}

function readJson(path: string): FileJson | undefined {
  const t = readText(path);
  return t ? { path, json: parseJsonText(t.text, path) } : undefined;
}

function readJsonDir(dir: string): Map<string, FileJson> {
  const out = new Map<string, FileJson>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    out.set(f.slice(0, -5), readJson(join(dir, f))!);
  }
  return out;
}

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else if (/\.(json|ya?ml)$/.test(f)) out.push(p);
  }
  return out;
}

/** Options of loadSnapshot. */
export interface LoadSnapshotOptions {
  /**
   * Build only these items of the Lists in k8s/*.json (the rest are checked as JSON structure
   * and skipped); see parseJsonListSelected. YAML files and single objects are read whole.
   */
  readonly k8sItems?: ListItemSelector;
}

/**
 * Reads a snapshot directory (shared/spec/snapshot.md). Only k8s/ is required; every other file
 * may be missing. Text dumps are returned unparsed so that a trace can report a broken node dump
 * as unknown for that node; JSON and YAML are parsed here, with positioned errors.
 */
export function loadSnapshot(dir: string, opts: LoadSnapshotOptions = {}): Snapshot {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new KpathError('E_SNAPSHOT_MISSING', `snapshot directory ${dir} does not exist`, { hint: 'pass --snapshot DIR with k8s/ and nodes/ folders (see README: snapshot layout)' });
  }
  const k8sDir = join(dir, 'k8s');
  if (!existsSync(k8sDir)) {
    throw new KpathError('E_SNAPSHOT_MISSING', `${k8sDir} is missing: a snapshot needs its k8s/ folder`, { hint: 'kubectl get svc,endpointslices,nodes,pods -A -o json > k8s/all.json' });
  }
  const k8sDocs = walkFiles(k8sDir).flatMap((file) => {
    const text = readTextFile(file);
    if (!file.endsWith('.json')) return parseYamlDocs(text, file).map((doc) => ({ file, doc }));
    return [{ file, doc: opts.k8sItems ? parseJsonListSelected(text, file, opts.k8sItems) : parseJsonText(text, file) }];
  });
  const nodes = new Map<string, NodeDumps>();
  const nodesDir = join(dir, 'nodes');
  if (existsSync(nodesDir)) {
    for (const name of readdirSync(nodesDir).sort()) {
      const nd = join(nodesDir, name);
      if (!statSync(nd).isDirectory()) continue;
      const dumps: Record<string, unknown> = { name };
      for (const [file, key] of Object.entries(NODE_FILES)) {
        const t = readText(join(nd, file));
        if (t) dumps[key] = t;
      }
      nodes.set(name, dumps as unknown as NodeDumps);
    }
  }
  const awsDir = join(dir, 'aws');
  const aws: AwsDumps = {
    loadBalancers: readJson(join(awsDir, 'load-balancers.json')),
    targetGroups: readJson(join(awsDir, 'target-groups.json')),
    listeners: readJsonDir(join(awsDir, 'listeners')),
    targetHealth: readJsonDir(join(awsDir, 'target-health')),
    targetGroupAttributes: readJsonDir(join(awsDir, 'target-group-attributes')),
    loadBalancerAttributes: readJsonDir(join(awsDir, 'load-balancer-attributes')),
    tags: readJson(join(awsDir, 'tags.json')),
    networkInterfaces: readJson(join(awsDir, 'network-interfaces.json')),
  };
  const metaFile = readJson(join(dir, 'kpath-snapshot.json'));
  const metaObj = metaFile && typeof metaFile.json === 'object' && metaFile.json !== null ? (metaFile.json as Record<string, unknown>) : undefined;
  const gaps: SnapshotGap[] = Array.isArray(metaObj?.gaps)
    ? metaObj.gaps.flatMap((g) => (g && typeof g === 'object' && typeof (g as SnapshotGap).what === 'string' ? [{ what: (g as SnapshotGap).what, why: String((g as SnapshotGap).why ?? '') }] : []))
    : [];
  const s = (k: string) => (typeof metaObj?.[k] === 'string' ? (metaObj[k] as string) : undefined);
  return {
    dir, k8sDocs, nodes, aws, gaps,
    meta: metaObj ? { format: s('format'), capturedAt: s('capturedAt'), tool: s('tool'), cluster: s('cluster') } : undefined,
  };
}
