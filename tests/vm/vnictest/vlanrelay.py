# SPDX-License-Identifier: GPL-2.0-only
"""Userspace 802.1Q termination for kernels without 8021q (or bridge VLAN filtering).

    python3 vlanrelay.py TRUNK ACCESS VID

TRUNK is a tap enslaved to the test bridge, ACCESS a tap with the gateway's VLAN address.
Frames tagged VID arriving from the bridge lose their tag and go to ACCESS; frames from ACCESS
get the tag and go to the bridge. Both taps must exist (ip tuntap add); this attaches to them.
"""
import fcntl
import os
import select
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main(trunk_name, access_name, vid):
    vid = int(vid)
    trunk, access = open_tap(trunk_name), open_tap(access_name)
    tag = struct.pack("!HH", 0x8100, vid & 0x0FFF)
    while True:
        ready, _, _ = select.select([trunk, access], [], [])
        if trunk in ready:
            f = os.read(trunk, 65536)
            if (len(f) >= 18 and f[12:14] == b"\x81\x00"
                    and struct.unpack("!H", f[14:16])[0] & 0x0FFF == vid):
                os.write(access, f[:12] + f[16:])
        if access in ready:
            f = os.read(access, 65536)
            if len(f) >= 14:
                os.write(trunk, f[:12] + tag + f[12:])


if __name__ == "__main__":
    main(*sys.argv[1:4])
