import { describe, expect, test } from 'vitest';
import { formatKpathError, KpathError } from '../../../src/errors.js';
import { parseIpset } from '../../../src/netfilter/ipset/index.js';
import { fixtureText } from './fixture.js';

function errorOf(text: string, file: string): KpathError {
  try {
    parseIpset(text, file);
  } catch (err) {
    if (err instanceof KpathError) return err;
    throw err;
  }
  throw new Error('parseIpset did not throw');
}

const BAD_FILES = [
  { file: 'bad-unknown-set.txt', code: 'E_IPSET_UNKNOWN_SET', line: 3, column: 5 },
  { file: 'bad-port.txt', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 35 },
  { file: 'bad-unknown-type.txt', code: 'E_IPSET_UNKNOWN_TYPE', line: 1, column: 23 },
  { file: 'bad-command.txt', code: 'E_IPSET_BAD_LINE', line: 2, column: 1 },
  { file: 'bad-family.txt', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 21 },
  { file: 'bad-unterminated-comment.txt', code: 'E_IPSET_BAD_LINE', line: 2, column: 35 },
  { file: 'bad-comment-without-extension.txt', code: 'E_IPSET_BAD_OPTION', line: 2, column: 27 },
  { file: 'bad-bitmap-range.txt', code: 'E_IPSET_BAD_ENTRY', line: 3, column: 15 },
  { file: 'bad-nomatch-on-hash-ip.txt', code: 'E_IPSET_BAD_OPTION', line: 2, column: 20 },
  { file: 'bad-icmp-in-inet6.txt', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 18 },
  { file: 'bad-duplicate-set.txt', code: 'E_IPSET_DUPLICATE_SET', line: 3, column: 8 },
  { file: 'bad-range-in-hash-ip.txt', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 11 },
  { file: 'bad-not-ipset.txt', code: 'E_IPSET_BAD_LINE', line: 2, column: 1 },
  { file: 'bad-list-count.txt', code: 'E_IPSET_ENTRY_COUNT', line: 7, column: 20 },
  { file: 'bad-list-no-type.txt', code: 'E_IPSET_BAD_LINE', line: 4, column: 1 },
  { file: 'bad-list-header-family.txt', code: 'E_IPSET_BAD_OPTION', line: 4, column: 16 },
  { file: 'bad-list-member.txt', code: 'E_IPSET_BAD_ENTRY', line: 9, column: 1 },
];

describe('fixtures/ipset/bad-*.txt', () => {
  test.each(BAD_FILES)('$file', async ({ file, code, line, column }) => {
    const err = errorOf(fixtureText(file), `fixtures/ipset/${file}`);
    expect({ code: err.code, line: err.loc?.line, column: err.loc?.column }).toEqual({ code, line, column });
    expect(err.token).toBeDefined();
    await expect(formatKpathError(err)).toMatchFileSnapshot(`golden/${file}`);
  });
});

const V4 = 'create S hash:ip,port family inet hashsize 1024 maxelem 65536';
const cases = [
  { name: 'add before any create', text: 'add S 10.0.0.1', code: 'E_IPSET_UNKNOWN_SET', line: 1, column: 5 },
  { name: 'create without a type', text: 'create S', code: 'E_IPSET_BAD_LINE', line: 1, column: 9 },
  { name: 'add without an element', text: `${V4}\nadd S`, code: 'E_IPSET_BAD_LINE', line: 2, column: 6 },
  { name: 'first line is neither format', text: '\n  Members:\n', code: 'E_IPSET_BAD_LINE', line: 2, column: 3 },
  { name: 'not an address', text: `${V4}\nadd S 10.0.0.256,tcp:80`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 7 },
  { name: 'missing port part', text: `${V4}\nadd S 10.0.0.1`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 7 },
  { name: 'unknown protocol', text: `${V4}\nadd S 10.0.0.1,foo:80`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 16 },
  { name: 'protocol 0', text: `${V4}\nadd S 10.0.0.1,0:0`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 16 },
  { name: 'port on a protocol without ports', text: `${V4}\nadd S 10.0.0.1,esp:5`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 20 },
  { name: 'port out of range', text: `${V4}\nadd S 10.0.0.1,tcp:70000`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 20 },
  { name: 'service name (save prints numbers)', text: `${V4}\nadd S 10.0.0.1,http`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 16 },
  { name: 'unknown ICMP name', text: `${V4}\nadd S 10.0.0.1,icmp:pingg`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 21 },
  { name: 'ICMPv6 in an inet set', text: `${V4}\nadd S 10.0.0.1,ipv6-icmp:echo-request`, code: 'E_IPSET_BAD_ENTRY', line: 2, column: 16 },
  { name: 'prefix too long', text: 'create N hash:net\nadd N 10.0.0.0/33', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 7 },
  { name: 'dotted mask is not what ipset prints', text: 'create N hash:net\nadd N 10.0.0.0/255.0.0.0', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 7 },
  { name: 'third part of hash:ip,port,net bad', text: 'create N hash:ip,port,net\nadd N 1.1.1.1,tcp:80,10.0.0.0/99', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 22 },
  { name: 'interface name too long', text: 'create I hash:net,iface\nadd I 10.0.0.0/8,abcdefghijklmnop', code: 'E_IPSET_BAD_ENTRY', line: 2, column: 18 },
  { name: 'bad family', text: 'create S hash:ip family inet7', code: 'E_IPSET_BAD_OPTION', line: 1, column: 25 },
  { name: 'family without value', text: 'create S hash:ip family', code: 'E_IPSET_BAD_OPTION', line: 1, column: 18 },
  { name: 'netmask too long', text: 'create S hash:ip family inet netmask 33', code: 'E_IPSET_BAD_OPTION', line: 1, column: 38 },
  { name: 'bitmask of the wrong family', text: 'create S hash:ip family inet6 bitmask 255.0.0.0', code: 'E_IPSET_BAD_OPTION', line: 1, column: 39 },
  { name: 'bitmap:port without range', text: 'create P bitmap:port', code: 'E_IPSET_BAD_OPTION', line: 1, column: 10 },
  { name: 'bitmap:port bad range', text: 'create P bitmap:port range 10-5', code: 'E_IPSET_BAD_OPTION', line: 1, column: 28 },
  { name: 'bitmap:ip inet6', text: 'create P bitmap:ip range 10.0.0.0/24 family inet6', code: 'E_IPSET_BAD_OPTION', line: 1, column: 45 },
  { name: 'entry timeout not a number', text: 'create S hash:ip timeout 0\nadd S 10.0.0.1 timeout soon', code: 'E_IPSET_BAD_OPTION', line: 2, column: 24 },
  { name: 'entry timeout on a set without timeout', text: 'create S hash:ip\nadd S 10.0.0.1 timeout 5', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'counters on a set without counters', text: 'create S hash:ip\nadd S 10.0.0.1 packets 1 bytes 2', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'skbmark on a set without skbinfo', text: 'create S hash:ip\nadd S 10.0.0.1 skbmark 0x1', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'bad skbprio', text: 'create S hash:ip skbinfo\nadd S 10.0.0.1 skbprio 1', code: 'E_IPSET_BAD_OPTION', line: 2, column: 24 },
  { name: 'unknown entry option', text: 'create S hash:ip\nadd S 10.0.0.1 forever', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'comment without text at line end', text: 'create S hash:ip comment\nadd S 10.0.0.1 comment', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'stray quoted text', text: 'create S hash:ip comment\nadd S 10.0.0.1 "x"', code: 'E_IPSET_BAD_OPTION', line: 2, column: 16 },
  { name: 'wildcard outside hash:net,iface', text: 'create N hash:net\nadd N 10.0.0.0/8 wildcard', code: 'E_IPSET_BAD_OPTION', line: 2, column: 18 },
  { name: 'list:set before (restore-only syntax)', text: 'create L list:set\nadd L A before B', code: 'E_IPSET_BAD_OPTION', line: 2, column: 9 },
  { name: 'list: text before Name', text: 'Name: A\nType: hash:ip\nMembers:\n\ngarbage here', code: 'E_IPSET_BAD_LINE', line: 5, column: 1 },
  { name: 'list: garbage in the header', text: 'Name: A\nType: hash:ip\nnot a field\nMembers:\n', code: 'E_IPSET_BAD_LINE', line: 3, column: 1 },
  { name: 'list: Name without a name', text: 'Name: \nType: hash:ip\n', code: 'E_IPSET_BAD_LINE', line: 1, column: 7 },
  { name: 'list: set listed twice', text: 'Name: A\nType: hash:ip\nMembers:\n\nName: A\nType: hash:ip\nMembers:\n', code: 'E_IPSET_DUPLICATE_SET', line: 5, column: 7 },
  { name: 'list: unknown type', text: 'Name: A\nType: hash:foo\nMembers:\n', code: 'E_IPSET_UNKNOWN_TYPE', line: 2, column: 7 },
  { name: 'list: bad entry count', text: 'Name: A\nType: hash:ip\nNumber of entries: many\nMembers:\n', code: 'E_IPSET_BAD_LINE', line: 3, column: 20 },
];

describe('errors name the code, line and column', () => {
  test.each(cases)('$name', ({ text, code, line, column }) => {
    const err = errorOf(text, 'inline.txt');
    expect({ code: err.code, line: err.loc?.line, column: err.loc?.column, file: err.loc?.file }).toEqual({ code, line, column, file: 'inline.txt' });
    expect(err.sourceLine).toBe(text.split('\n')[line - 1]);
  });
});
