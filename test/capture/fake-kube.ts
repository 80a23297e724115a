// A local HTTP server that speaks enough of the Kubernetes API for the real @kubernetes/client-node:
// lists with limit/continue, get/create/delete of pods, 403/404/410 errors, and pods/exec over
// WebSocket (v4.channel.k8s.io: 1 stdout, 2 stderr, 3 status). It serves a snapshot's objects and
// node dumps, records every request, and can be told to fail in the ways a cluster does.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';

type Obj = Record<string, unknown>;

export interface FakeKubeOptions {
  /** Every object, with kind and apiVersion (as the snapshot's k8s/ lists hold them). */
  readonly objects: readonly Obj[];
  /** node → file name (iptables-save.txt …) → text. */
  readonly dumps: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Items per page at most (the server may return fewer than `limit`). */
  readonly maxPage?: number;
  /** Plurals whose first continued list answers 410 Gone (an expired continue token). */
  readonly goneOnce?: readonly string[];
  /** Plurals the user may not list or get (403). */
  readonly forbid?: readonly string[];
  /** Delay before an exec answers. */
  readonly execLatencyMs?: number;
  /** Nodes whose pods never answer an exec (the upgrade is left hanging). */
  readonly silentNodes?: readonly string[];
  /** Nodes whose pods refuse exec (403 on the upgrade). */
  readonly execForbiddenNodes?: readonly string[];
  /** The bearer token the kubeconfig carries; other tokens get 401. */
  readonly token: string;
}

export interface FakeKube {
  readonly url: string;
  /** `METHOD /path?query` of every request, in order. */
  readonly requests: string[];
  /** Every exec: pod and command. */
  readonly execs: { pod: string; command: string[] }[];
  /** The most execs that were open at the same time. */
  readonly maxExecsInFlight: () => number;
  /** Pods that exist now, created through the fake (debug pods). */
  readonly createdPods: () => string[];
  readonly close: () => Promise<void>;
}

interface Resource { group: string; version: string; plural: string; namespaced: boolean; builtin: boolean }

const RESOURCES: Readonly<Record<string, Resource>> = {
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true, builtin: true },
  Node: { group: '', version: 'v1', plural: 'nodes', namespaced: false, builtin: true },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true, builtin: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true, builtin: true },
  Endpoints: { group: '', version: 'v1', plural: 'endpoints', namespaced: true, builtin: true },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true, builtin: true },
  Ingress: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true, builtin: true },
  TargetGroupBinding: { group: 'elbv2.k8s.aws', version: 'v1beta1', plural: 'targetgroupbindings', namespaced: true, builtin: false },
};

/** The exec'd command line → the node dump file it prints. */
const TOOL_FILES: Readonly<Record<string, string>> = {
  'iptables-save': 'iptables-save.txt',
  'iptables-legacy-save': 'iptables-save.txt',
  'ip6tables-save': 'ip6tables-save.txt',
  'ip6tables-legacy-save': 'ip6tables-save.txt',
  'ipset save': 'ipset-save.txt',
  'ipvsadm-save -n': 'ipvsadm.txt',
  'nft -j list ruleset': 'nft-ruleset.json',
  'ip -j addr show': 'ip-addr.json',
  'ip -j route show table all': 'ip-route.json',
};

const meta = (o: Obj) => (o.metadata ?? {}) as Obj;

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function matchesLabels(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  const labels = (meta(o).labels ?? {}) as Record<string, string>;
  return selector.split(',').every((kv) => { const [k, v] = kv.split('=') as [string, string]; return labels[k] === v; });
}

function matchesFields(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((kv) => {
    const [k, v] = kv.split('=') as [string, string];
    if (k === 'metadata.name') return meta(o).name === v;
    if (k === 'metadata.namespace') return meta(o).namespace === v;
    if (k === 'spec.nodeName') return (o.spec as Obj | undefined)?.nodeName === v;
    return false;
  });
}

interface Route { res: Resource; kind: string; namespace?: string; name?: string; sub?: string }

/** /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]] and /apis/GROUP/VERSION/… */
function route(path: string): Route | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  let group = '';
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') { version = parts[1] ?? ''; rest = parts.slice(2); } else if (parts[0] === 'apis') { group = parts[1] ?? ''; version = parts[2] ?? ''; rest = parts.slice(3); } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) { namespace = rest[1]; rest = rest.slice(2); }
  const [plural, name, sub] = rest;
  const entry = Object.entries(RESOURCES).find(([, r]) => r.group === group && r.version === version && r.plural === plural);
  if (!entry) return undefined;
  return { res: entry[1], kind: entry[0], namespace, name, sub };
}

/** Starts the fake API server on 127.0.0.1 (a free port). */
export async function startFakeKube(opts: FakeKubeOptions): Promise<FakeKube> {
  const objects: Obj[] = opts.objects.map((o) => structuredClone(o));
  const requests: string[] = [];
  const execs: { pod: string; command: string[] }[] = [];
  const created = new Set<string>();
  const gone = new Set(opts.goneOnce ?? []);
  const maxPage = opts.maxPage ?? 2;
  let podSeq = 0;
  const held = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const strip = (o: Obj, r: Resource): Obj => {
    if (!r.builtin) return o;
    // The real API server omits kind and apiVersion on items of built-in lists (clients.md).
    const { kind: _k, apiVersion: _a, ...rest } = o;
    return rest;
  };

  function list(r: Route, url: URL, res: ServerResponse): void {
    const items = ofKind(r.kind).filter((o) => (r.namespace === undefined || meta(o).namespace === r.namespace)
      && matchesLabels(o, url.searchParams.get('labelSelector')) && matchesFields(o, url.searchParams.get('fieldSelector')));
    const limit = Number(url.searchParams.get('limit') ?? '0') || items.length;
    const cont = url.searchParams.get('continue');
    if (cont && gone.has(r.res.plural)) {
      gone.delete(r.res.plural);
      return send(res, 410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
    }
    const start = cont ? Number(Buffer.from(cont, 'base64').toString()) : 0;
    const size = Math.min(limit, maxPage);
    const page = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
    const apiVersion = r.res.group ? `${r.res.group}/${r.res.version}` : r.res.version;
    send(res, 200, {
      kind: `${r.kind}List`, apiVersion,
      metadata: { resourceVersion: '4242', ...(next ? { continue: next, remainingItemCount: items.length - start - size } : {}) },
      items: page.map((o) => strip(o, r.res)),
    });
  }

  async function body(req: IncomingMessage): Promise<Obj> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${opts.token}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const r = route(url.pathname);
    if (!r) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (r.res.builtin === false && ofKind(r.kind).length === 0) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if ((opts.forbid ?? []).includes(r.res.plural)) {
      return send(res, 403, status(403, 'Forbidden', `${r.res.plural} is forbidden: User "tester" cannot list resource "${r.res.plural}" in API group "${r.res.group}" at the cluster scope`));
    }
    if (req.method === 'GET' && r.name === undefined) return list(r, url, res);
    if (req.method === 'GET' && r.sub === undefined) {
      const o = ofKind(r.kind).find((x) => meta(x).name === r.name && (r.namespace === undefined || meta(x).namespace === r.namespace));
      return o ? send(res, 200, o) : send(res, 404, status(404, 'NotFound', `${r.res.plural} "${r.name}" not found`));
    }
    if (req.method === 'POST' && r.kind === 'Pod' && r.name === undefined) {
      const pod = await body(req);
      const m = meta(pod);
      const name = `${String(m.generateName ?? 'pod-')}${(++podSeq).toString(36).padStart(5, 'x')}`;
      const stored = { ...pod, metadata: { ...m, name, namespace: r.namespace }, status: { phase: 'Pending' } };
      objects.push(stored);
      created.add(`${r.namespace}/${name}`);
      // Running from the next read on, so kpath has to wait for it once.
      setTimeout(() => { stored.status = { phase: 'Running' }; }, 10);
      return send(res, 201, stored);
    }
    if (req.method === 'DELETE' && r.kind === 'Pod' && r.name !== undefined) {
      const i = objects.findIndex((x) => x.kind === 'Pod' && meta(x).name === r.name && meta(x).namespace === r.namespace);
      if (i < 0) return send(res, 404, status(404, 'NotFound', `pods "${r.name}" not found`));
      const [o] = objects.splice(i, 1);
      created.delete(`${r.namespace}/${r.name}`);
      return send(res, 200, o);
    }
    send(res, 405, status(405, 'MethodNotAllowed', 'not supported by the fake'));
  }

  const server = createServer((req, res) => { handle(req, res).catch((e: unknown) => send(res, 500, status(500, 'InternalError', String(e)))); });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });

  function nodeOfPod(ns: string, name: string): string | undefined {
    const p = objects.find((x) => x.kind === 'Pod' && meta(x).namespace === ns && meta(x).name === name);
    return (p?.spec as Obj | undefined)?.nodeName as string | undefined;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const r = route(url.pathname);
    const refuse = (code: number, text: string) => { socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\n\r\n`); };
    if (req.headers.authorization !== `Bearer ${opts.token}`) return refuse(401, 'Unauthorized');
    if (!r || r.kind !== 'Pod' || r.sub !== 'exec' || !r.namespace || !r.name) return refuse(404, 'Not Found');
    const node = nodeOfPod(r.namespace, r.name);
    if (!node) return refuse(404, 'Not Found');
    const command = url.searchParams.getAll('command');
    execs.push({ pod: `${r.namespace}/${r.name}`, command });
    if ((opts.execForbiddenNodes ?? []).includes(node)) return refuse(403, 'Forbidden');
    if ((opts.silentNodes ?? []).includes(node)) { held.add(socket); socket.on('close', () => held.delete(socket)); return; }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    wss.handleUpgrade(req, socket, head, (ws) => {
      setTimeout(() => {
        inFlight--;
        const file = TOOL_FILES[command.join(' ')];
        const text = file ? opts.dumps.get(node)?.get(file) : undefined;
        const frame = (channel: number, data: string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data, 'utf8')]));
        if (text === undefined) {
          frame(3, JSON.stringify({ metadata: {}, status: 'Failure', reason: 'InternalError', code: 500,
            message: `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0]}": executable file not found in $PATH: unknown` }));
        } else {
          // Large outputs arrive in several frames, as the kubelet streams them.
          for (let i = 0; i < text.length; i += 16384) frame(1, text.slice(i, i + 16384));
          frame(2, '');
          frame(3, JSON.stringify({ metadata: {}, status: 'Success' }));
        }
        ws.close();
      }, opts.execLatencyMs ?? 0);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests, execs,
    createdPods: () => [...created],
    maxExecsInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => {
      for (const s of held) s.destroy();
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A kubeconfig for the fake: plain http needs insecure-skip-tls-verify with client-node 1.x (clients.md). */
export function kubeconfigFor(url: string, token: string): string {
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: fake', '  cluster:', `    server: ${url}`, '    insecure-skip-tls-verify: true',
    'users:', '- name: tester', '  user:', `    token: ${token}`,
    'contexts:', '- name: fake-ctx', '  context:', '    cluster: fake', '    user: tester',
    'current-context: fake-ctx', '',
  ].join('\n');
}
