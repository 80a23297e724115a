import type { SourceLoc } from '../../errors.js';

/** IPVS forwarding methods as ipvsadm names them (-m masquerading, -g gatewaying, -i ipip). */
export type IpvsForward = 'Masq' | 'Route' | 'Tunnel' | 'Local';

/** One real server of a virtual service. */
export interface IpvsRealServer {
  readonly address: string;
  readonly port: number;
  readonly forward: IpvsForward;
  /** Weight 0 takes no new connections (the quiescent state kube-proxy uses while draining). */
  readonly weight: number;
  readonly activeConn?: number;
  readonly inactConn?: number;
  readonly loc: SourceLoc;
}

/** One virtual service: an address:port per protocol, or a firewall mark. */
export interface IpvsService {
  readonly protocol: 'tcp' | 'udp' | 'sctp' | 'fwmark';
  /** VIP address (IPv6 without brackets); absent for fwmark services. */
  readonly address?: string;
  readonly port?: number;
  readonly fwmark?: number;
  readonly family: 4 | 6;
  readonly scheduler: string;
  /** Persistence timeout in seconds (sessionAffinity ClientIP), when set. */
  readonly persistent?: number;
  /** Persistence granularity (`-M` / `mask`) as printed: a dotted IPv4 mask or an IPv6 prefix length. */
  readonly netmask?: string;
  /** Alternative persistence engine (`--pe` / `pe`), e.g. "sip". */
  readonly persistenceEngine?: string;
  /**
   * Scheduler flags as ipvsadm names them (sh-fallback, sh-port, mh-fallback, mh-port, flag-1…3),
   * then "ops" when one-packet scheduling is on.
   */
  readonly flags: readonly string[];
  readonly realServers: readonly IpvsRealServer[];
  readonly loc: SourceLoc;
}

/** A whole `ipvsadm-save -n` or `ipvsadm -Ln` dump. */
export interface IpvsTable {
  readonly file: string;
  readonly services: readonly IpvsService[];
}
