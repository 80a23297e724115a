export { parseIpset } from './parse.js';
export { indexIpsets, type IpsetIndex } from './set-index.js';
export { ipsetPacket, testSet, type IpsetAnswer, type IpsetPacket, type SetDir, type TestSetOptions } from './membership.js';
export { IPSET_TYPES, type IpsetTypeInfo } from './set-types.js';
