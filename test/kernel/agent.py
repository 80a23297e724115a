"""Probe agent for the kernel-differential tests (test/kernel/lab.ts starts it).

Runs inside the lab's node namespace (`ip netns exec NODE python3 agent.py`) and answers one JSON
request per stdin line with one JSON line on stdout. Probe sockets are created in other namespaces
by setns(2) into /run/netns/NAME: a socket keeps the namespace it was created in, so one process
can send from the outside, the node and every pod without a process start per probe.

Every attempt is bounded: conntrack flushed and -m recent lists emptied, one non-blocking TCP SYN
(a socket closed in SYN_SENT sends nothing more) or one UDP datagram, then the node's conntrack
NEW events, SNMP and device counter deltas and `iptables-legacy-save -c`.
"""
import ctypes
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
IP_TRANSPARENT = 19
NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NFNLGRP_CONNTRACK_NEW = 1
IPCTNL_MSG_CT_NEW = 0

libc = ctypes.CDLL(None, use_errno=True)
HOME = os.open('/proc/self/ns/net', os.O_RDONLY)
ns_fds = {}


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, 'setns: ' + os.strerror(e))


def ns_fd(name):
    fd = ns_fds.get(name)
    if fd is None:
        fd = os.open('/run/netns/' + name, os.O_RDONLY)
        ns_fds[name] = fd
    return fd


def send_probe(req):
    """Sends one SYN or one datagram from namespace req['ns'] with the exact source address/port."""
    setns(ns_fd(req['ns']))
    try:
        kind = socket.SOCK_STREAM if req['proto'] == 'tcp' else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
    finally:
        setns(HOME)
    err = None
    try:
        # IP_TRANSPARENT lets a socket bind and send from an address its namespace does not own
        # (the outside namespace stands in for every external client).
        s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((req['src'], req['sport']))
        s.setblocking(False)
        if req['proto'] == 'tcp':
            try:
                s.connect((req['dst'], req['dport']))
            except BlockingIOError:
                pass
        else:
            s.sendto(b'kpath-kd', (req['dst'], req['dport']))
    except OSError as e:
        err = errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()
    return err


def read_snmp():
    out = {}
    with open('/proc/net/snmp') as f:
        lines = f.read().splitlines()
    for i in range(0, len(lines) - 1, 2):
        head = lines[i].split()
        vals = lines[i + 1].split()
        out[head[0].rstrip(':')] = {k: int(v) for k, v in zip(head[1:], vals[1:])}
    return out


def read_dev():
    out = {}
    with open('/proc/net/dev') as f:
        for line in f.read().splitlines()[2:]:
            name, rest = line.split(':', 1)
            v = rest.split()
            out[name.strip()] = {'rx': int(v[1]), 'tx': int(v[9]), 'txdrop': int(v[11])}
    return out


def open_events():
    """A ctnetlink socket subscribed to NEW events. The kernel queues an event on it when a
    connection is confirmed (after nat POSTROUTING/INPUT), so it carries both final tuples, and
    it survives the entry being deleted at once by a RST (kernel-lab.md)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((0, 1 << (NFNLGRP_CONNTRACK_NEW - 1)))
    s.setblocking(False)
    return s


def attrs(buf):
    out = {}
    i = 0
    while i + 4 <= len(buf):
        ln, typ = struct.unpack('=HH', buf[i:i + 4])
        if ln < 4:
            break
        out[typ & 0x3fff] = buf[i + 4:i + ln]
        i += (ln + 3) & ~3
    return out


def tuple_of(buf):
    a = attrs(buf)
    ip = attrs(a.get(1, b''))
    pr = attrs(a.get(2, b''))
    t = {}
    if 1 in ip:
        t['src'] = socket.inet_ntoa(ip[1])
    if 2 in ip:
        t['dst'] = socket.inet_ntoa(ip[2])
    if 1 in pr:
        t['proto'] = pr[1][0]
    if 2 in pr:
        t['sport'] = struct.unpack('!H', pr[2])[0]
    if 3 in pr:
        t['dport'] = struct.unpack('!H', pr[3])[0]
    return t


def drain_events(s):
    evs = []
    while True:
        try:
            data = s.recv(1 << 16)
        except BlockingIOError:
            return evs
        i = 0
        while i + 16 <= len(data):
            ln, typ, _, _, _ = struct.unpack('=IHHII', data[i:i + 16])
            if ln < 16:
                break
            if typ == (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW:
                a = attrs(data[i + 20:i + ln])
                ev = {'orig': tuple_of(a.get(1, b'')), 'reply': tuple_of(a.get(2, b''))}
                if 8 in a:
                    ev['mark'] = struct.unpack('!I', a[8])[0]
                evs.append(ev)
            i += (ln + 3) & ~3


def flush_ct():
    """IPCTNL_MSG_CT_DELETE without a tuple flushes the family's table (ctnetlink_flush_conntrack)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    try:
        s.bind((0, 0))
        body = struct.pack('=BBH', socket.AF_INET, 0, 0)
        hdr = struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                          NLM_F_REQUEST | NLM_F_ACK, 1, 0)
        s.send(hdr + body)
        data = s.recv(65536)
        _, typ, _, _, _ = struct.unpack('=IHHII', data[:16])
        if typ == NLMSG_ERROR:
            code = struct.unpack('=i', data[16:20])[0]
            if code not in (0, -errno.ENOENT):
                raise OSError(-code, 'conntrack flush failed')
    finally:
        s.close()


def clear_recent():
    base = '/proc/net/xt_recent'
    if not os.path.isdir(base):
        return
    for name in os.listdir(base):
        with open(os.path.join(base, name), 'w') as f:
            f.write('/\n')


def save_counters():
    r = subprocess.run(['iptables-legacy-save', '-c'], capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError('iptables-legacy-save -c failed: ' + r.stderr)
    return r.stdout


def delta(after, before):
    return {g: {k: v - before.get(g, {}).get(k, 0) for k, v in vals.items() if v != before.get(g, {}).get(k, 0)}
            for g, vals in after.items()}


EVENTS = None


def attempt(req):
    """One bounded connection attempt with everything observed around it."""
    global EVENTS
    if EVENTS is None:
        EVENTS = open_events()
    flush_ct()
    clear_recent()
    drain_events(EVENTS)
    snmp0 = read_snmp()
    dev0 = read_dev()
    err = send_probe(req)
    # Delivery through a veth runs in the sender's softirq before send returns; wait only while
    # nothing has reached the node's IP layer yet (bounded).
    deadline = time.monotonic() + 0.2
    while req.get('fromWire') and time.monotonic() < deadline:
        if read_snmp()['Ip']['InReceives'] > snmp0['Ip']['InReceives']:
            break
        time.sleep(0.0005)
    time.sleep(float(req.get('settleMs', 1)) / 1000.0)
    snmp1 = read_snmp()
    dev1 = read_dev()
    ct = drain_events(EVENTS)
    return {'err': err, 'snmp': delta(snmp1, snmp0), 'dev': delta(dev1, dev0), 'ct': ct, 'counters': save_counters()}


def handle(req):
    op = req['op']
    if op == 'attempt':
        return attempt(req)
    if op == 'counters':
        return {'counters': save_counters()}
    raise ValueError('unknown op ' + op)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            res = {'id': req.get('id'), 'ok': True, 'res': handle(req)}
        except Exception as e:  # reported to the caller, which fails the test with it
            res = {'id': req.get('id'), 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(res) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
