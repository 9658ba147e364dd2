# SPDX-License-Identifier: GPL-2.0-only
"""A host that exists only as far as a test wants it to: ARP and ICMP echo for one address.

    python3 fakehost.py TAP IP MAC [--no-echo] [--echo-only-from MAC,...]

TAP is a tap enslaved to a test bridge (ip tuntap add); this attaches to it. It answers ARP
requests for IP with MAC; ICMP echo requests to IP get a reply unless --no-echo, and with
--echo-only-from only when the frame came from one of those MACs (a peer that one NIC reaches
and another does not). Nothing else is answered: no IP stack behind it. Used for a host that
holds the gateway's address on a wrong segment with another MAC, and a peer that only the
E1000 reaches.
"""
import os
import socket
import struct
import sys

from vlanrelay import open_tap  # run as a script: its directory is on sys.path


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def arp_reply(frame, ip, mac):
    """The reply to an ARP request for ip in frame, or None."""
    arp = frame[14:42]
    if len(arp) < 28 or arp[6:8] != b"\x00\x01" or arp[24:28] != ip:
        return None
    sha, spa = arp[8:14], arp[14:18]
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac + ip + sha + spa
    return sha + mac + b"\x08\x06" + body


def echo_reply(frame, ip, mac, only_from):
    """The reply to an ICMP echo request to ip in frame, or None."""
    src_mac, iph = frame[6:12], frame[14:]
    if len(iph) < 28 or iph[9] != 1 or iph[16:20] != ip or (only_from and src_mac not in only_from):
        return None
    ihl = (iph[0] & 0x0F) * 4
    icmp = bytearray(iph[ihl:])
    if len(icmp) < 8 or icmp[0] != 8:
        return None
    icmp[0], icmp[2:4] = 0, b"\0\0"
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    hdr = bytearray(iph[:ihl])
    hdr[12:16], hdr[16:20], hdr[8], hdr[10:12] = iph[16:20], iph[12:16], 64, b"\0\0"
    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
    return src_mac + mac + b"\x08\x00" + bytes(hdr) + bytes(icmp)


def main(argv):
    tap, ip, mac = argv[0], socket.inet_aton(argv[1]), mac_bytes(argv[2])
    echo = "--no-echo" not in argv
    only_from = set()
    if "--echo-only-from" in argv:
        only_from = {mac_bytes(m) for m in argv[argv.index("--echo-only-from") + 1].split(",")}
    fd = open_tap(tap)
    while True:
        f = os.read(fd, 65536)
        if len(f) < 14:
            continue
        out = None
        if f[12:14] == b"\x08\x06":
            out = arp_reply(f, ip, mac)
        elif f[12:14] == b"\x08\x00" and echo:
            out = echo_reply(f, ip, mac, only_from)
        if out:
            os.write(fd, out)


if __name__ == "__main__":
    main(sys.argv[1:])
