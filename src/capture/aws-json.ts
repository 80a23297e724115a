/**
 * SDK v3 outputs → the JSON the AWS CLI v2 prints (shared/spec/snapshot.md aws/): the same
 * PascalCase members, minus the SDK's `$metadata` and pagination tokens, with timestamps as the
 * CLI's ISO 8601 strings (botocore prints `2024-05-01T12:00:00.123000+00:00`).
 */
export function cliJson(v: unknown): unknown {
  if (v instanceof Date) return cliTime(v);
  if (Array.isArray(v)) return v.map(cliJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined || k === '$metadata' || k === 'NextMarker' || k === 'NextToken') continue;
      out[k] = cliJson(x);
    }
    return out;
  }
  return v;
}

/** Python's datetime.isoformat() in UTC, as the AWS CLI prints times: microseconds only when non-zero. */
export function cliTime(d: Date): string {
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${ms === 0 ? '' : `.${String(ms).padStart(3, '0')}000`}+00:00`;
}

/** The AWS error as a gap reason: `AccessDenied: User … is not authorized to perform …`. */
export function awsWhy(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.replace(/\s+/g, ' ').slice(0, 300);
  return String(e);
}
