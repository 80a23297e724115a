import type { CheckReport, CheckResult } from '../check/model.js';

/** Escapes text for XML attributes and character data; drops characters XML 1.0 cannot hold. */
export function escapeXml(s: string): string {
  return s
    // XML 1.0 allows tab, LF and CR among the control characters, nothing else (XML 1.0 §2.2).
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function failureText(r: CheckResult): string {
  const l = r.expectation.loc;
  const lines = [`${l.file}:${l.line}:${l.column}: ${r.expectation.name}`, `traced ${r.traced}`];
  for (const a of r.assertions) {
    lines.push(a.passed ? `ok ${a.key}: ${a.got}` : `FAILED ${a.key}: want ${a.want}; got ${a.got}`);
    if (!a.passed) for (const d of a.details) lines.push(`  ${d}`);
  }
  return lines.join('\n');
}

function testcase(r: CheckResult, classname: string): string {
  const open = `  <testcase classname="${escapeXml(classname)}" name="${escapeXml(r.expectation.name)}"`;
  if (r.passed) return `${open}/>`;
  const failed = r.assertions.filter((a) => !a.passed);
  const message = failed.map((a) => `${a.key}: want ${a.want}; got ${a.got}`).join(' | ');
  return `${open}>\n    <failure message="${escapeXml(message)}" type="${escapeXml(failed.map((a) => a.key).join(','))}">${escapeXml(failureText(r))}</failure>\n  </testcase>`;
}

/**
 * JUnit XML for CI test reporters (Jenkins, GitLab, GitHub actions that read JUnit): one
 * testsuite named after the expectations file, one testcase per expectation, a failure element
 * with the failed assertions. No timestamps or durations, so the output is reproducible.
 */
export function renderJunit(report: CheckReport): string {
  const failures = report.results.filter((r) => !r.passed).length;
  const suite = `kpath check ${report.file}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kpath" tests="${report.results.length}" failures="${failures}" errors="0">`,
    `<testsuite name="${escapeXml(suite)}" tests="${report.results.length}" failures="${failures}" errors="0" skipped="0">`,
    `  <properties>\n    <property name="snapshot" value="${escapeXml(report.snapshot)}"/>\n  </properties>`,
    ...report.results.map((r) => testcase(r, report.file)),
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
