#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench` for detect: median wall time of `vnic-install detect` on a fake root (a scratch
# copy of tests/roots/debian-12 with its module index built) and on the live system, over
# repeated runs, with `modinfo -F version vmxnet3` (what one would run by hand for a part of
# the same answer) measured side by side as the peer.
#
# Usage: tests/roots/bench.sh [RUNS]   (VNIC=path/to/vnic-install, default build/vnic-install)
set -uo pipefail
runs=${1:-50}
here=$(dirname "$(realpath "$0")")
vnic=$(realpath "${VNIC:-build/vnic-install}")
[ -x "$vnic" ] || { echo "bench: $vnic not built (make installer)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vnic-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Prepare one root exactly as the roots tier does (modules built, depmod run).
"$here/run.sh" --prepare-only debian-12 "$work/root" >/dev/null || {
	echo "bench: could not prepare the root" >&2
	exit 1
}
kver=$(ls -1 /lib/modules | sort -V | tail -n1)

/usr/bin/python3 - "$runs" "$vnic" "$work/root" "$kver" <<'PY'
import statistics, subprocess, sys, time
runs, vnic, root, kver = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def median_ms(argv, ok=(0,)):
    times = []
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm caches
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode not in ok:
            sys.exit("bench: %s exited %d" % (" ".join(argv), r.returncode))
    return statistics.median(times)

rows = [
    ("detect --root (debian-12)", [vnic, "detect", "--root", root]),
    ("detect --root --json (debian-12)", [vnic, "detect", "--root", root, "--json"]),
    ("detect (live)", [vnic, "detect"]),
    ("detect --json (live)", [vnic, "detect", "--json"]),
]
peer = ("peer: modinfo -F version -k %s vmxnet3" % kver,
        ["modinfo", "-F", "version", "-k", kver, "vmxnet3"])
p = median_ms(peer[1])
print("median wall time over %d runs" % runs)
print("  %-40s %8.2f ms" % (peer[0], p))
for name, argv in rows:
    m = median_ms(argv)
    print("  %-40s %8.2f ms  (%.2fx the peer)" % (name, m, m / p))
PY
