import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { KpathError } from '../errors.js';
import type { SnapshotFile } from '../redact/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './options.js';

interface RedactOpts {
  out?: string;
  salt?: string;
  mapping?: string;
}

const HELP = `
Writes a copy of a snapshot that can be shared: every IP address is rewritten with a keyed,
prefix-preserving map (addresses that share a prefix still do, CIDRs keep their length, private
addresses stay private), and every name — namespaces, Services, Pods, Nodes, label values, load
balancers, target groups, DNS names, ARNs, account and instance IDs, MACs — gets a consistent
pseudonym in every file. kube-proxy's chain names are recomputed for the new names, so the
redacted snapshot traces, lints and explains exactly like the original, modulo the mapping.

Left as they are: loopback, link-local, multicast, 0.0.0.0/8, 240.0.0.0/4 (netmasks,
255.255.255.255), the RFC 5737 documentation ranges, ::/128, ::1, ff00::/8, 2001:db8::/32;
port names that are not also a name (http, dns …); interface, ipset and non-kube chain names;
Kubernetes' own names (default, kube-system, kubernetes, kube-dns, kube-proxy, metallb-system …),
API groups and enum values; annotation and label keys. Files that are not part of a snapshot
(README.md, expected.json …) are not copied.

The same --salt gives the same pseudonyms; without it a random salt is used. --mapping FILE
writes original → redacted for the owner (outside --out; keep it private).

Exit codes: 0 written; 1 written, but an original name or address was still found (listed on
stderr); 2 usage or input error.
`;

function readTree(root: string, dir = root): SnapshotFile[] {
  const out: SnapshotFile[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...readTree(root, p));
    else out.push({ path: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
  }
  return out;
}

const isInside = (child: string, parent: string): boolean => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== resolve(child));
};

function checkPaths(snapshot: string, out: string, mapping: string | undefined): void {
  if (!existsSync(snapshot) || !statSync(snapshot).isDirectory()) {
    throw new KpathError('E_SNAPSHOT_MISSING', `snapshot directory ${snapshot} does not exist`);
  }
  if (!existsSync(join(snapshot, 'k8s'))) throw new KpathError('E_SNAPSHOT_MISSING', `${join(snapshot, 'k8s')} is missing: a snapshot needs its k8s/ folder`);
  const [s, o] = [resolve(snapshot), resolve(out)];
  if (isInside(o, s) || isInside(s, o)) throw new KpathError('E_USAGE', `--out ${out} must be outside the snapshot (and not contain it)`);
  if (existsSync(o) && readdirSync(o).length > 0) throw new KpathError('E_USAGE', `--out ${out} exists and is not empty`, { hint: 'give a new or empty directory' });
  if (mapping && isInside(resolve(mapping), o)) throw new KpathError('E_USAGE', `--mapping ${mapping} is inside --out: the mapping must never travel with the redacted snapshot`);
}

/** Adds `kpath redact SNAPSHOT --out DIR [--salt S] [--mapping FILE]`. */
export function registerRedact(program: Command, io: CliIo): void {
  program
    .command('redact')
    .description('write a shareable copy of a snapshot with addresses and names consistently rewritten')
    .argument('<snapshot>', 'snapshot directory to redact')
    .option('--out <dir>', 'where to write the redacted snapshot (new or empty directory)')
    .option('--salt <salt>', 'key of the rewrite: the same salt gives the same pseudonyms (default: random)')
    .option('--mapping <file>', 'also write original → redacted as JSON, for the owner (outside --out)')
    .addHelpText('after', HELP)
    .action(async (snapshot: string, opts: RedactOpts) => {
      if (!opts.out) throw new KpathError('E_USAGE', 'redact needs --out DIR');
      checkPaths(snapshot, opts.out, opts.mapping);
      const salt = opts.salt ?? randomBytes(16).toString('hex');
      // The rewrite loads the YAML writer; only this command needs it.
      const { redactSnapshot } = await import('../redact/index.js');
      const r = redactSnapshot(readTree(snapshot), { salt, root: snapshot });
      for (const f of r.files) {
        const p = join(opts.out, ...f.path.split('/'));
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, f.text);
      }
      if (opts.mapping) {
        mkdirSync(dirname(resolve(opts.mapping)), { recursive: true });
        writeFileSync(opts.mapping, `${JSON.stringify(r.mapping, null, 2)}\n`, { mode: 0o600 });
      }
      io.out(`redacted ${r.files.length} file${r.files.length === 1 ? '' : 's'} of ${snapshot} into ${opts.out}\n`);
      if (!opts.salt) io.out('salt: random (pass --salt to get the same pseudonyms again)\n');
      for (const s of r.skipped) io.out(`not copied: ${s} (not a snapshot file)\n`);
      if (opts.mapping) io.out(`mapping: ${opts.mapping} (original → redacted; keep it private)\n`);
      if (r.leaks.length > 0) {
        io.err(`kpath: ${r.leaks.length} original value${r.leaks.length === 1 ? '' : 's'} still found in the redacted files:\n`);
        for (const l of r.leaks.slice(0, 50)) io.err(`  ${join(opts.out, l.file)}:${l.line}: ${l.kind} ${l.value}\n`);
        if (r.leaks.length > 50) io.err(`  … and ${r.leaks.length - 50} more\n`);
        (program as unknown as { kpathExitCode?: number }).kpathExitCode = EXIT.checkFailed;
      }
    });
}
