// Public surface of src/netfilter/ipvs: the IPVS table model and its parser.
export { parseIpvsadm } from './parse.js';
export type { IpvsForward, IpvsRealServer, IpvsService, IpvsTable } from './model.js';
