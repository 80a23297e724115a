import type { IpvsRealServer, IpvsService, IpvsTable } from './model.js';
import { ipvsError, type Line, type Token } from './tokens.js';

/** The virtual-service part of a line: protocol and address:port, or a firewall mark. */
export interface ServiceId {
  readonly protocol: IpvsService['protocol'];
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly family: 4 | 6;
}

/** A service being filled in, line by line. */
export interface ServiceDraft extends ServiceId {
  readonly scheduler: string;
  readonly persistent?: number;
  readonly netmask?: string;
  readonly persistenceEngine?: string;
  readonly flags: readonly string[];
  readonly realServers: IpvsRealServer[];
  readonly loc: IpvsService['loc'];
}

/** Services in dump order, keyed by their identity. */
export type ServiceDrafts = Map<string, ServiceDraft>;

/** The identity IPVS itself uses: <protocol, address, port> or <fwmark, family>. */
export function serviceKey(id: ServiceId): string {
  return id.protocol === 'fwmark' ? `fwm ${id.fwmark ?? 0} v${id.family}` : `${id.protocol} [${id.address ?? ''}]:${id.port ?? 0}`;
}

/** Human form of a service for messages: `TCP 10.0.0.1:80`, `FWM 1`. */
export function serviceName(id: ServiceId): string {
  if (id.protocol === 'fwmark') return `FWM ${id.fwmark ?? 0}${id.family === 6 ? ' IPv6' : ''}`;
  const addr = id.family === 6 ? `[${id.address ?? ''}]` : id.address ?? '';
  return `${id.protocol.toUpperCase()} ${addr}:${id.port ?? 0}`;
}

/** Adds a service; a second service with the same identity cannot be in one IPVS table. */
export function addService(drafts: ServiceDrafts, draft: ServiceDraft, line: Line, at: Token): void {
  const key = serviceKey(draft);
  const first = drafts.get(key);
  if (first) {
    throw ipvsError('E_IPVS_BAD_LINE', `virtual service ${serviceName(draft)} is listed twice (first on line ${first.loc.line})`, line, at);
  }
  drafts.set(key, draft);
}

/** The draft a real-server line belongs to; a real server of an unknown service cannot be read. */
export function serviceFor(drafts: ServiceDrafts, id: ServiceId, line: Line, at: Token): ServiceDraft {
  const draft = drafts.get(serviceKey(id));
  if (!draft) {
    throw ipvsError('E_IPVS_BAD_LINE', `real server of ${serviceName(id)}, which no earlier -A line adds`, line, at,
      'ipvsadm-save prints each -A line before the -a lines of its real servers');
  }
  return draft;
}

/** Freezes the drafts into the table. */
export function finishTable(file: string, drafts: ServiceDrafts): IpvsTable {
  const services: IpvsService[] = [...drafts.values()].map((d) => ({ ...d, realServers: [...d.realServers] }));
  return { file, services };
}
