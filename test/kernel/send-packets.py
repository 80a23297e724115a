"""Sends hand-built IPv4/IPv6 packets through a raw socket (IP_HDRINCL), so they cross the OUTPUT hook
with exactly the addresses, protocol, ports and ICMP type/code given. Used by the ipset kernel check.

argv[1]: JSON list of {family, proto, src, dst, sport?, dport?, icmpType?, icmpCode?}.
"""
import json
import socket
import struct
import sys


def l4(p):
    proto = p['proto']
    sport, dport = p.get('sport', 0), p.get('dport', 0)
    if proto == 6:
        return struct.pack('!HHIIBBHHH', sport, dport, 0, 0, 5 << 4, 2, 1024, 0, 0)
    if proto in (17, 136):
        return struct.pack('!HHHH', sport, dport, 8, 0)
    if proto == 132:
        return struct.pack('!HHII', sport, dport, 0, 0)
    if proto in (1, 58):
        return struct.pack('!BBHI', p.get('icmpType', 0), p.get('icmpCode', 0), 0, 0)
    return b'\0' * 8


def send(p):
    body = l4(p)
    if p['family'] == 4:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(body), 1, 0, 64, p['proto'], 0,
                          socket.inet_aton(p['src']), socket.inet_aton(p['dst']))
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        hdr = struct.pack('!IHBB16s16s', 6 << 28, len(body), p['proto'], 64,
                          socket.inet_pton(socket.AF_INET6, p['src']), socket.inet_pton(socket.AF_INET6, p['dst']))
    try:
        s.sendto(hdr + body, (p['dst'], 0))
    finally:
        s.close()


for probe in json.loads(sys.argv[1]):
    send(probe)
