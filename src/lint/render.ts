import type { Style } from '../render/style.js';
import type { LintReport } from './model.js';

/** JSON for CI: the report as is, stable order, trailing newline. */
export function renderLintJson(r: LintReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Text: one block per finding (severity, code, node, where, message), then what was not checked and a summary line. */
export function renderLintText(r: LintReport, s: Style): string {
  const lines: string[] = [s.bold(`kpath lint ${r.snapshot}`), ''];
  for (const f of r.findings) {
    const sev = f.severity === 'error' ? s.red('error  ') : s.yellow('warning');
    lines.push(`${sev} ${s.bold(f.code)}${f.node ? `  ${f.node}` : ''}  ${s.dim(f.where)}`);
    lines.push(`        ${f.message}`);
  }
  if (r.findings.length > 0) lines.push('');
  if (r.assumptions.length > 0) {
    lines.push(s.bold('Assumed:'));
    for (const a of r.assumptions) lines.push(`  - ${a}`);
    lines.push('');
  }
  if (r.notChecked.length > 0) {
    lines.push(s.bold('Not checked:'));
    for (const n of r.notChecked) lines.push(`  - ${n.what}: ${n.why}`);
    lines.push('');
  }
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  const warnings = r.findings.length - errors;
  const modes = r.checked.nodes.map((n) => `${n.name} (${n.mode})`).join(', ') || 'none';
  const head = r.findings.length === 0 ? s.green('no findings') : `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
  lines.push(`${head}; checked ${r.checked.servicePorts} Service port${r.checked.servicePorts === 1 ? '' : 's'} on nodes ${modes}, ${r.checked.targetGroups} target group${r.checked.targetGroups === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
