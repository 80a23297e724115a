// A local endpoint answering ELBv2's and EC2's Query protocol (form-encoded POST in, XML out) for
// the real AWS SDK v3 clients, served from a snapshot's aws/ folder (AWS CLI v2 JSON). It records
// every call and can throttle or deny actions.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

type Obj = Record<string, unknown>;

export interface FakeAwsOptions {
  /** A snapshot's aws/ folder. */
  readonly awsDir: string;
  /** Load balancers added to DescribeLoadBalancers that belong to nothing traced (an ALB, another NLB). */
  readonly decoys?: readonly Obj[];
  /** Actions whose first call answers 400 Throttling (the SDK must retry). */
  readonly throttleOnce?: readonly string[];
  /** Actions that always answer 403 AccessDenied. */
  readonly deny?: readonly string[];
  /** Items per page for the paginated ELBv2 calls, at most. */
  readonly maxPage?: number;
}

export interface FakeAws {
  readonly url: string;
  /** Every call: Action, its parameters, and the region of its SigV4 credential scope. */
  readonly calls: { action: string; params: Record<string, string>; region: string }[];
  readonly close: () => Promise<void>;
}

const ELB_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
// EC2's XML names are the members' lowerCamel names, except these (botocore ec2 model locationName).
const EC2_NAMES: Readonly<Record<string, string>> = { Groups: 'groupSet', Ipv6Addresses: 'ipv6AddressesSet', PrivateIpAddresses: 'privateIpAddressesSet' };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function scalar(v: unknown): string {
  if (typeof v === 'string' && ISO_TIME.test(v)) return new Date(v).toISOString();
  return esc(String(v));
}

/** JSON (CLI shape) → Query-protocol XML: ELBv2 keeps member names and lists use <member>; EC2 lowerCamel and <item>. */
function xml(v: unknown, ec2: boolean): string {
  if (Array.isArray(v)) return v.map((x) => `<${ec2 ? 'item' : 'member'}>${xml(x, ec2)}</${ec2 ? 'item' : 'member'}>`).join('');
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Obj).map(([k, x]) => {
      const name = ec2 ? EC2_NAMES[k] ?? `${k[0]!.toLowerCase()}${k.slice(1)}` : k;
      return `<${name}>${xml(x, ec2)}</${name}>`;
    }).join('');
  }
  return scalar(v);
}

function readJson(path: string): Obj {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Obj : {};
}

function readDir(dir: string): Map<string, Obj> {
  const out = new Map<string, Obj>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) out.set(f.slice(0, -5), readJson(join(dir, f)));
  return out;
}

/** `Prefix.member.N` (ELBv2) or `Prefix.N` values in order. */
function memberList(params: Record<string, string>, prefix: string): string[] {
  return Object.keys(params).filter((k) => k.startsWith(`${prefix}.`)).sort((a, z) => Number(a.split('.').pop()) - Number(z.split('.').pop())).map((k) => params[k]!);
}

/** Starts the fake on 127.0.0.1 (a free port). */
export async function startFakeAws(opts: FakeAwsOptions): Promise<FakeAws> {
  const d = opts.awsDir;
  const lbs = [...((readJson(join(d, 'load-balancers.json')).LoadBalancers ?? []) as Obj[]), ...(opts.decoys ?? [])];
  const tgs = (readJson(join(d, 'target-groups.json')).TargetGroups ?? []) as Obj[];
  const listeners = readDir(join(d, 'listeners'));
  const health = readDir(join(d, 'target-health'));
  const tgAttrs = readDir(join(d, 'target-group-attributes'));
  const lbAttrs = readDir(join(d, 'load-balancer-attributes'));
  const tags = (readJson(join(d, 'tags.json')).TagDescriptions ?? []) as Obj[];
  const enis = (readJson(join(d, 'network-interfaces.json')).NetworkInterfaces ?? []) as Obj[];
  const throttle = new Set(opts.throttleOnce ?? []);
  const maxPage = opts.maxPage ?? 400;
  const calls: FakeAws['calls'] = [];
  let requestId = 0;

  const lbName = (arn: string) => lbs.find((l) => l.LoadBalancerArn === arn)?.LoadBalancerName as string | undefined;
  const tgName = (arn: string) => tgs.find((t) => t.TargetGroupArn === arn)?.TargetGroupName as string | undefined;

  function page(items: Obj[], params: Record<string, string>, key: string): Obj {
    const start = params.Marker ? Number(params.Marker) : 0;
    const size = Math.min(Number(params.PageSize ?? '400'), maxPage);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { [key]: items.slice(start, start + size), ...(next ? { NextMarker: next } : {}) };
  }

  function elb(action: string, p: Record<string, string>): Obj | { error: [number, string, string] } {
    switch (action) {
      case 'DescribeLoadBalancers': {
        const arns = memberList(p, 'LoadBalancerArns.member');
        const names = memberList(p, 'Names.member');
        return page(lbs.filter((l) => (arns.length === 0 || arns.includes(l.LoadBalancerArn as string)) && (names.length === 0 || names.includes(l.LoadBalancerName as string))), p, 'LoadBalancers');
      }
      case 'DescribeListeners':
        return page(((listeners.get(lbName(p.LoadBalancerArn ?? '') ?? '')?.Listeners ?? []) as Obj[]), p, 'Listeners');
      case 'DescribeTargetGroups': {
        const arns = memberList(p, 'TargetGroupArns.member');
        const names = memberList(p, 'Names.member');
        const items = tgs.filter((t) => (p.LoadBalancerArn === undefined || (t.LoadBalancerArns as string[]).includes(p.LoadBalancerArn))
          && (arns.length === 0 || arns.includes(t.TargetGroupArn as string)) && (names.length === 0 || names.includes(t.TargetGroupName as string)));
        return page(items, p, 'TargetGroups');
      }
      case 'DescribeTargetHealth':
        return { TargetHealthDescriptions: health.get(tgName(p.TargetGroupArn ?? '') ?? '')?.TargetHealthDescriptions ?? [] };
      case 'DescribeTargetGroupAttributes':
        return { Attributes: tgAttrs.get(tgName(p.TargetGroupArn ?? '') ?? '')?.Attributes ?? [] };
      case 'DescribeLoadBalancerAttributes':
        return { Attributes: lbAttrs.get(lbName(p.LoadBalancerArn ?? '') ?? '')?.Attributes ?? [] };
      case 'DescribeTags': {
        const arns = memberList(p, 'ResourceArns.member');
        if (arns.length === 0 || arns.length > 20) return { error: [400, 'ValidationError', `ResourceArns must have 1 to 20 members, got ${arns.length}`] };
        return { TagDescriptions: arns.map((a) => tags.find((t) => t.ResourceArn === a) ?? { ResourceArn: a, Tags: [] }) };
      }
      default:
        return { error: [400, 'InvalidAction', `${action} is not served by the fake`] };
    }
  }

  function ec2(action: string, p: Record<string, string>): Obj | { error: [number, string, string] } {
    if (action !== 'DescribeNetworkInterfaces') return { error: [400, 'InvalidAction', `${action} is not served by the fake`] };
    const filters: { name: string; values: string[] }[] = [];
    for (let i = 1; p[`Filter.${i}.Name`] !== undefined; i++) filters.push({ name: p[`Filter.${i}.Name`]!, values: memberList(p, `Filter.${i}.Value`) });
    return { NetworkInterfaces: enis.filter((e) => filters.every((f) => f.name !== 'description' || f.values.includes(e.Description as string))) };
  }

  function reply(res: ServerResponse, isEc2: boolean, action: string, out: Obj | { error: [number, string, string] }): void {
    const rid = `req-${++requestId}`;
    res.setHeader('content-type', 'text/xml');
    if ('error' in out) {
      const [code, errCode, msg] = out.error as [number, string, string];
      res.statusCode = code;
      res.end(isEc2
        ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${errCode}</Code><Message>${esc(msg)}</Message></Error></Errors><RequestID>${rid}</RequestID></Response>`
        : `<ErrorResponse xmlns="${ELB_NS}"><Error><Type>Sender</Type><Code>${errCode}</Code><Message>${esc(msg)}</Message></Error><RequestId>${rid}</RequestId></ErrorResponse>`);
      return;
    }
    res.statusCode = 200;
    if (isEc2) {
      const nis = out.NetworkInterfaces as Obj[];
      res.end(`<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${EC2_NS}"><requestId>${rid}</requestId><networkInterfaceSet>${xml(nis, true)}</networkInterfaceSet></${action}Response>`);
      return;
    }
    res.end(`<${action}Response xmlns="${ELB_NS}"><${action}Result>${xml(out, false)}</${action}Result><ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata></${action}Response>`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params.Action ?? '';
    const isEc2 = params.Version === '2016-11-15';
    const auth = String(req.headers.authorization ?? '');
    calls.push({ action, params, region: /Credential=[^/]+\/\d+\/([^/]+)\//.exec(auth)?.[1] ?? '' });
    if (!auth.startsWith('AWS4-HMAC-SHA256 Credential=')) return reply(res, isEc2, action, { error: [403, 'MissingAuthenticationToken', 'unsigned'] });
    if (throttle.has(action)) {
      throttle.delete(action);
      return reply(res, isEc2, action, { error: isEc2 ? [503, 'RequestLimitExceeded', 'Request limit exceeded.'] : [400, 'Throttling', 'Rate exceeded'] });
    }
    if ((opts.deny ?? []).includes(action)) return reply(res, isEc2, action, { error: [403, 'AccessDenied', `User: arn:aws:iam::111122223333:user/tester is not authorized to perform: elasticloadbalancing:${action}`] });
    reply(res, isEc2, action, isEc2 ? ec2(action, params) : elb(action, params));
  }

  const server = createServer((req, res) => { handle(req, res).catch((e: unknown) => { res.statusCode = 500; res.end(String(e)); }); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
