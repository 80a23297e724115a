import {
  ApiException, createConfiguration, ResponseContext, ServerConfiguration, type Configuration, type KubeConfig, type Middleware,
} from '@kubernetes/client-node';

type Obj = Record<string, unknown>;

/** A list as the API server returned it, pages joined, each item with its kind and apiVersion. */
export interface KubeList {
  readonly apiVersion: string;
  readonly kind: string;
  readonly items: readonly Obj[];
}

/** A read that failed: why (for the gap), the HTTP status if any, and whether the server was reached at all. */
export interface KubeFailure {
  readonly why: string;
  readonly status?: number;
  readonly unreachable: boolean;
}

/** A whole list, a resource the cluster does not serve, or a failure to become a gap. */
export type ListOutcome =
  | { readonly kind: 'ok'; readonly list: KubeList }
  /** 404: the resource type is not served (a CRD not installed): absent, not a failure. */
  | { readonly kind: 'absent' }
  | { readonly kind: 'failed'; readonly failure: KubeFailure };

/** A generated client-node API class that also hands over the raw response text of its last call. */
export interface RawApi<A> {
  readonly api: A;
  /** The body of the last response, as the server sent it. */
  readonly lastBody: () => string | undefined;
}

/** kubectl's default chunk size for lists (`--chunk-size 500`). */
export const PAGE_LIMIT = 500;
const MAX_LIST_RESTARTS = 3;

/**
 * Builds a client-node API client (as `kc.makeApiClient` does) with a middleware that keeps the
 * raw response body and gives each request a timeout. The generated clients deserialize into
 * model classes, which drop fields they do not know and turn times into Dates; the snapshot wants
 * the objects exactly as `kubectl get -o json` prints them, so kpath writes the raw JSON.
 */
export function rawApi<A>(kc: KubeConfig, Api: new (config: Configuration) => A, timeoutMs: number): RawApi<A> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('internal: rawApi without a current cluster');
  let body: string | undefined;
  const keepBody: Middleware = {
    pre: async (ctx) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return ctx;
    },
    post: async (rsp) => {
      const text = await rsp.body.text();
      body = text;
      return new ResponseContext(rsp.httpStatusCode, rsp.headers, { text: async () => text, binary: async () => Buffer.from(text) });
    },
  };
  const config = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [keepBody],
  });
  return { api: new Api(config), lastBody: () => body };
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const o = JSON.parse(body) as Obj;
    return typeof o.message === 'string' ? o.message : undefined;
  } catch {
    return body.trim().slice(0, 200) || undefined;
  }
}

/** Turns whatever a client-node call threw into a gap reason. */
export function kubeFailure(e: unknown, timeoutMs: number): KubeFailure {
  if (e instanceof ApiException) {
    const code = e.code;
    const msg = statusMessage(e.body);
    const label = code === 403 ? 'forbidden' : code === 401 ? 'unauthorized' : code === 404 ? 'not found' : `HTTP ${code}`;
    return { why: `${label} (${code})${msg ? `: ${msg}` : ''}`, status: code, unreachable: false };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return { why: `timed out after ${(timeoutMs / 1000).toFixed(0)} s`, unreachable: true };
  }
  return { why: `API server unreachable: ${err.message}`, unreachable: true };
}

function parseList(text: string | undefined): Obj {
  const o: unknown = text === undefined ? undefined : JSON.parse(text);
  if (o === null || typeof o !== 'object' || !Array.isArray((o as Obj).items)) throw new Error('the API server answered a list call with something that is not a list');
  return o as Obj;
}

/** The API server leaves kind and apiVersion out of list items of built-in types; kubectl adds them back. */
function withKind(item: unknown, kind: string, apiVersion: string): Obj {
  const o = { ...(item as Obj) };
  if (typeof o.kind !== 'string') o.kind = kind;
  if (typeof o.apiVersion !== 'string') o.apiVersion = apiVersion;
  return o;
}

/**
 * Reads a whole list, `PAGE_LIMIT` items a page, following `continue`. A 410 Gone on a continue
 * token means the token expired (the server compacted past it); client-node does not retry that,
 * so the list restarts from the beginning (a consistent list, as the API docs advise).
 */
export async function listAll(raw: RawApi<unknown>, page: (limit: number, cont: string | undefined) => Promise<unknown>, timeoutMs: number): Promise<ListOutcome> {
  for (let restart = 0; ; restart++) {
    const items: Obj[] = [];
    let cont: string | undefined;
    let first: Obj | undefined;
    try {
      do {
        await page(PAGE_LIMIT, cont);
        const list = parseList(raw.lastBody());
        first ??= list;
        const listKind = typeof list.kind === 'string' ? list.kind.replace(/List$/, '') : '';
        const apiVersion = typeof list.apiVersion === 'string' ? list.apiVersion : 'v1';
        items.push(...(list.items as unknown[]).map((it) => withKind(it, listKind, apiVersion)));
        const meta = list.metadata as Obj | undefined;
        cont = typeof meta?.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      } while (cont !== undefined);
      return { kind: 'ok', list: { apiVersion: String(first.apiVersion ?? 'v1'), kind: String(first.kind ?? 'List'), items } };
    } catch (e) {
      if (e instanceof ApiException && e.code === 410 && cont !== undefined && restart < MAX_LIST_RESTARTS) continue;
      if (e instanceof ApiException && e.code === 404) return { kind: 'absent' };
      return { kind: 'failed', failure: kubeFailure(e, timeoutMs) };
    }
  }
}

/** Reads one object (`get`); 404 is absent. */
export async function getOne(raw: RawApi<unknown>, call: () => Promise<unknown>, timeoutMs: number): Promise<{ kind: 'ok'; obj: Obj } | { kind: 'absent' } | { kind: 'failed'; failure: KubeFailure }> {
  try {
    await call();
    return { kind: 'ok', obj: JSON.parse(raw.lastBody() ?? 'null') as Obj };
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return { kind: 'absent' };
    return { kind: 'failed', failure: kubeFailure(e, timeoutMs) };
  }
}
