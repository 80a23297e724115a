import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, test, type ExpectStatic } from 'vitest';
import type { DiffOptions } from './diff-run.js';
import { runFocusedCases, selfCheck } from './focused-run.js';
import { awsScenario, calicoScenario, ipvsScenario } from './kube-scenarios.js';
import { runKubeScenario } from './kube-run.js';
import { Lab, canUseNetns, cleanupStaleNamespaces } from './lab.js';
import { runRandomSuite } from './random-run.js';
import { Tally } from './tally.js';

// Kernel-differential suite (issue 3): the same rules, routes and packets go to kpath's evaluator and
// to real netfilter in network namespaces; every probe's answers must agree. Environment:
//   KPATH_KDIFF_SEED      seed of the random rule sets (printed; default below)
//   KPATH_KDIFF_PROBES    random probes per run (default 1000, 25 per rule set)
//   KPATH_KDIFF_RULESET   run only this random rule set (with the same seed and probe count)
//   KPATH_KDIFF_REPEATS   attempts for a probe with several outcomes (default 200)
//   KPATH_KDIFF_VERBOSE   print every probe's comparison, not only disagreements
// The parts run concurrently, each in namespaces of its own (two cores are enough).

const DEFAULT_SEED = 20240603;
const seed = Number(process.env['KPATH_KDIFF_SEED'] ?? DEFAULT_SEED) >>> 0;
const randomProbes = Number(process.env['KPATH_KDIFF_PROBES'] ?? 1000);
const opts: DiffOptions = { repeats: Number(process.env['KPATH_KDIFF_REPEATS'] ?? 200), maxAttempts: 600, sigma: 4.5 };
const RANDOM_SHARDS = 2;

const reason = canUseNetns();
// Printed while the file is collected: when every test is skipped vitest runs no hooks at all.
if (reason !== undefined) console.log(`kernel-diff: skipped — ${reason}`);
const lab = reason === undefined ? new Lab() : undefined;
const total = new Tally();
const started = Date.now();

function check(expect: ExpectStatic, part: Tally, what: string): void {
  total.merge(part);
  expect(part.reports.length, `${what}: ${part.reports.length} of ${part.probes} probes disagree with the kernel (reports printed above)`).toBe(0);
}

beforeAll(() => {
  if (reason !== undefined) return;
  const stale = cleanupStaleNamespaces();
  if (stale.length > 0) console.log(`kernel-diff: deleted ${stale.length} stale namespaces of earlier runs`);
  console.log(`kernel-diff: random rule sets with seed ${seed} (KPATH_KDIFF_SEED), ${randomProbes} probes`);
});

afterAll(() => {
  lab?.destroy();
  if (reason !== undefined) return;
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  for (const n of new Set(total.notes)) console.log(`kernel-diff note: ${n}`);
  const ipvs = existsSync('/proc/net/ip_vs') ? 'IPVS is present but not exercised' : 'IPVS itself is not available in this kernel';
  console.log(`kernel-diff: ${ipvs}; only kube-proxy's iptables/ipset side of IPVS mode is covered`);
  console.log(`kernel-diff: ${total.agreed}/${total.probes} probes agreed (seed ${seed}, ${total.attempts} attempts, ${secs} s)`);
});

describe.concurrent('kernel-diff', () => {
  const timeout = 600_000;
  const skip = reason !== undefined;
  test.skipIf(skip)('kube-proxy iptables rules on a Calico IPIP node', async ({ expect }) => {
    check(expect, await runKubeScenario(lab!, calicoScenario(), opts), 'calico');
  }, timeout);

  test.skipIf(skip)('kube-proxy iptables rules on an AWS VPC CNI node', async ({ expect }) => {
    check(expect, await runKubeScenario(lab!, awsScenario(), opts), 'aws');
  }, timeout);

  test.skipIf(skip)('kube-proxy IPVS mode: the iptables and ipset side', async ({ expect }) => {
    check(expect, await runKubeScenario(lab!, ipvsScenario(), opts), 'ipvs');
  }, timeout);

  test.skipIf(skip)('focused cases: kernel traps and minimal reproductions; harness self-check', async ({ expect }) => {
    const part = await runFocusedCases(lab!, opts);
    // Same namespaces as the focused cases, so after them; not counted as probes.
    expect(await selfCheck(lab!, opts), 'wrong predictions the harness did not catch').toEqual([]);
    check(expect, part, 'focused cases');
  }, timeout);

  for (let shard = 0; shard < RANDOM_SHARDS; shard++) {
    test.skipIf(skip)(`random rule sets, seed ${seed}, shard ${shard + 1}/${RANDOM_SHARDS}`, async ({ expect }) => {
      check(expect, await runRandomSuite(lab!, seed, randomProbes, opts, shard, RANDOM_SHARDS), `random (seed ${seed}, shard ${shard + 1})`);
    }, timeout);
  }
});
