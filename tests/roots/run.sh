#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs `BIN detect --root <copy> --json` on every fake root in tests/roots/ (or the cases named)
# and compares the JSON with the case's expected.json, and the exit code with its `exit` file
# (0 when absent). Each case runs on a scratch copy, in which the kernel modules that
# modules.list names are built (a minimal ELF relocatable object with a .modinfo section) and
# indexed with `depmod -b`. A scratch copy is removed when its case passes and kept (and named)
# when it fails, with a diff of expected vs actual.
#
# Usage: tests/roots/run.sh BIN [CASE...]
set -uo pipefail
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
python=/usr/bin/python3

[ $# -ge 1 ] || { echo "usage: $0 BIN [CASE...] | $0 --prepare-only CASE DEST" >&2; exit 2; }
here=$(dirname "$(realpath "$0")")
prepare_only=
if [ "$1" = --prepare-only ]; then
	# For benchmarks and debugging: build one case's root at DEST and stop.
	[ $# -eq 3 ] || { echo "usage: $0 --prepare-only CASE DEST" >&2; exit 2; }
	prepare_only=$2
	prepare_dest=$3
	[ ! -e "$prepare_dest" ] || { echo "roots: $prepare_dest exists" >&2; exit 2; }
	set -- /bin/true
fi
bin=$(realpath "$1")
shift
[ -x "$bin" ] || { echo "roots: $bin is not an executable" >&2; exit 2; }
for t in depmod objcopy cc xz zstd; do
	command -v $t >/dev/null || { echo "roots: $t is needed (kmod, binutils, gcc, xz-utils, zstd)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vnic-roots.XXXXXX")
keep_work=0
passed=0 failed=0 broken=() ids_equal=0 ids_refused=0

# One object file; every fake module is a copy of it with its own .modinfo.
printf 'int vnic_test_module_marker;\n' >"$work/fake.c"
cc -c -o "$work/fake.o" "$work/fake.c" || { echo "roots: cannot compile the fake module" >&2; exit 2; }

# make_module OUT VERSION KVER: OUT ending in .xz or .zst is compressed as distributions do.
make_module() {
	local out=$1 version=$2 kver=$3 info
	case $out in
	*.ko.xz)
		make_module "${out%.xz}" "$version" "$kver" && xz --check=crc32 -f "${out%.xz}"
		return ;;
	*.ko.zst)
		make_module "${out%.zst}" "$version" "$kver" && zstd -q --rm -f "${out%.zst}" -o "$out"
		return ;;
	esac
	info=$(mktemp "$work/modinfo.XXXXXX")
	local src
	src=$(printf '%s' "vmxnet3-$version" | md5sum | cut -c1-23 | tr a-f A-F)
	printf 'version=%s\0license=GPL v2\0description=VMware vmxnet3 virtual NIC driver (test)\0srcversion=%s\0alias=pci:v000015ADd000007B0sv*sd*bc*sc*i*\0depends=\0name=vmxnet3\0vermagic=%s SMP mod_unload modversions \0' \
		"$version" "$src" "$kver" >"$info"
	mkdir -p "$(dirname "$out")"
	objcopy --add-section .modinfo="$info" --set-section-flags .modinfo=alloc,readonly \
		"$work/fake.o" "$out"
	rm -f "$info"
}

# prepare_root CASE_DIR COPY: copies the tree, builds its modules, indexes its kernels.
prepare_root() {
	local case_dir=$1 copy=$2 moddir rel version kver
	cp -a "$case_dir/root" "$copy" || return 1
	[ -f "$case_dir/modules.list" ] || return 0
	while read -r moddir rel version; do
		case $moddir in '' | '#'*) continue ;; esac
		kver=${moddir##*/}
		make_module "$copy$moddir/$rel" "$version" "$kver" || return 1
	done <"$case_dir/modules.list"
	# depmod -b indexes <base>/lib/modules/<kver> (through /lib -> usr/lib where the root has
	# it). Kernels only under /usr/lib/modules stay without an index, as on a root where
	# depmod never ran: the lookup falls back to the module's usual path.
	while read -r moddir rel version; do
		case $moddir in '' | '#'*) continue ;; esac
		kver=${moddir##*/}
		[ -d "$copy/lib/modules/$kver" ] || continue
		[ -f "$copy/lib/modules/$kver/modules.dep.bin" ] && continue
		depmod -b "$copy" "$kver" 2>"$copy.depmod.log" ||
			{ cat "$copy.depmod.log" >&2; return 1; }
		rm -f "$copy.depmod.log"
	done <"$case_dir/modules.list"
	return 0
}

# compare EXPECTED ACTUAL: exit 0 when the JSON values are equal, else print a diff.
compare() {
	"$python" - "$1" "$2" <<'EOF'
import difflib, json, sys
exp_path, act_path = sys.argv[1], sys.argv[2]
exp = json.load(open(exp_path))
try:
    act = json.load(open(act_path))
except ValueError as e:
    print("  actual output is not JSON: %s" % e)
    sys.exit(1)
if exp == act:
    sys.exit(0)
a = json.dumps(exp, indent=2, sort_keys=True).splitlines()
b = json.dumps(act, indent=2, sort_keys=True).splitlines()
for line in difflib.unified_diff(a, b, "expected.json", "actual", lineterm="", n=2):
    print("  " + line)
sys.exit(1)
EOF
}

pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); broken+=("$1"); echo "FAIL  $1"; }

run_case() {
	local case_dir=$1 name copy rc want
	name=$(basename "$case_dir")
	copy="$work/$name"
	if ! prepare_root "$case_dir" "$copy"; then
		fail "$name (could not prepare the root: $copy)"
		keep_work=1
		return
	fi
	"$bin" detect --root "$copy" --json >"$copy.json" 2>"$copy.stderr"
	rc=$?
	want=0
	[ -f "$case_dir/exit" ] && want=$(cat "$case_dir/exit")
	local ok=1
	if [ "$rc" -ne "$want" ]; then
		echo "  exit code $rc, expected $want; stderr:"
		sed 's/^/    /' "$copy.stderr"
		ok=0
	fi
	if ! compare "$case_dir/expected.json" "$copy.json"; then
		ok=0
	fi
	# The step layer's invariant: the ids of the steps `plan` shows are the ids the swap
	# journals, in order; a plan that refuses means a swap that refuses alike (the fake root
	# stands for the running system: VNIC_TEST_FAKE_LIVE, commands run as `true ...`).
	if [ $ok -eq 1 ] && [ ! -f "$case_dir/exit" ]; then
		if VNIC_TEST_FAKE_LIVE=1 VNIC_TEST_LINKCHECK=pass "$python" "$here/../step-ids.py" \
			"$bin" "$copy" swap --no-driver >"$copy.ids" 2>&1; then
			grep -q "step ids equal" "$copy.ids" && ids_equal=$((ids_equal + 1))
			grep -q "refused alike" "$copy.ids" && ids_refused=$((ids_refused + 1))
		else
			echo "  plan and swap differ:"
			cat "$copy.ids"
			ok=0
		fi
	fi
	if [ $ok -eq 1 ]; then
		pass "$name"
		rm -rf "$copy" "$copy.json" "$copy.stderr" "$copy.ids"
	else
		fail "$name (scratch kept: $copy)"
		keep_work=1
	fi
}

# Cases that need no tree of their own: bad roots and files too big to commit.
run_generated() {
	local d="$work/gen" rc
	mkdir -p "$d"

	# A root that is not a directory, and one that does not exist: a usage error (2).
	: >"$d/plain-file"
	"$bin" detect --root "$d/plain-file" --json >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "not a directory" "$d/err" && [ ! -s "$d/out" ]; then
		pass "generated: --root is a file"
	else
		fail "generated: --root is a file (exit $rc: $(cat "$d/err"))"
	fi
	"$bin" detect --root "$d/missing" >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "missing" "$d/err"; then
		pass "generated: --root does not exist"
	else
		fail "generated: --root does not exist (exit $rc: $(cat "$d/err"))"
	fi

	# A huge os-release (8 MiB): refused by size, named, the rest still reported.
	mkdir -p "$d/huge/etc"
	head -c 8388608 /dev/zero | tr '\0' 'A' >"$d/huge/etc/os-release"
	"$bin" detect --root "$d/huge" --json >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -eq 8 ] && grep -q "/etc/os-release" "$d/err" &&
		"$python" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["distro"]["family"]=="unknown" and "too large" in j["errors"][0]["message"]))' "$d/out"; then
		pass "generated: huge os-release"
	else
		fail "generated: huge os-release (exit $rc: $(cat "$d/err"))"
	fi

	# An unreadable os-release: root reads anyway, so as root run it as nobody (setpriv).
	mkdir -p "$d/unreadable/etc"
	echo "ID=debian" >"$d/unreadable/etc/os-release"
	chmod 000 "$d/unreadable/etc/os-release"
	local as=()
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		chmod 755 "$work" "$d"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
	fi
	"${as[@]}" "$bin" detect --root "$d/unreadable" --json >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -eq 8 ] && grep -q "/etc/os-release: .*Permission denied" "$d/err"; then
		pass "generated: unreadable os-release"
	elif [ ${#as[@]} -eq 0 ] && [ "$(id -u)" -eq 0 ] && [ $rc -eq 0 ]; then
		pass "generated: unreadable os-release (as root: readable; setpriv missing)"
	else
		fail "generated: unreadable os-release (exit $rc: $(cat "$d/err"))"
	fi

	# Symlinks that point out of the root must stay inside it: the host's /etc/os-release
	# must not be read through them.
	mkdir -p "$d/escape/etc" "$d/escape/usr/lib"
	ln -s ../../../../../../../../usr/lib/os-release "$d/escape/etc/os-release"
	"$bin" detect --root "$d/escape" --json >"$d/out" 2>"$d/err"
	rc=$?
	if [ $rc -eq 0 ] && "$python" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["distro"]["source"] is None and j["distro"]["family"]=="unknown"))' "$d/out"; then
		pass "generated: os-release link escaping the root"
	else
		fail "generated: os-release link escaping the root (exit $rc)"
	fi
	# Nothing outside the root is touched: every path a file syscall names is inside the root
	# (or one of its parent directories, which resolving the root walks), except the dynamic
	# loader's files and /proc (libkmod reads the host's /proc/cmdline for every context).
	if command -v strace >/dev/null && prepare_root "$here/rhel-7" "$d/traced"; then
		# LeakSanitizer cannot run under ptrace: leaks are checked by the other cases.
		ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=%file,readlink -o "$d/trace" \
			"$bin" detect --root "$d/traced" --json >"$d/out" 2>"$d/err"
		rc=$?
		if outside=$("$python" - "$d/trace" "$d/traced" <<'PY'
import re, sys
trace, root = sys.argv[1], sys.argv[2]
allowed = ("/proc/", "/etc/ld.so.", "/lib/", "/lib64/", "/usr/lib/x86_64-linux-gnu/",
           "/usr/lib64/", "/sys/devices/system/cpu")
parents = set()
p = root
while p not in ("", "/"):
    parents.add(p)
    p = p.rsplit("/", 1)[0]
bad = set()
for line in open(trace):
    m = re.match(r'^\d+ +(\w+)\((?:AT_FDCWD, )?"([^"]*)"', line)
    if not m or not m.group(2).startswith("/") or m.group(1) == "execve":  # the binary itself
        continue
    path = m.group(2)
    if path == root or path.startswith(root + "/") or path in parents or path == "/":
        continue
    if path.startswith(allowed):
        continue
    bad.add("%s %s" % (m.group(1), path))
print("\n".join(sorted(bad)))
sys.exit(1 if bad else 0)
PY
		) && [ $rc -eq 0 ]; then
			pass "generated: no path outside the root is touched (strace)"
		else
			fail "generated: paths outside the root were touched (exit $rc)"
			{ echo "$outside"; cat "$d/err"; } | sed 's/^/    /'
		fi
	fi

	# Live: the same keys, and the default route as iproute2 sees it (when it is installed).
	"$bin" detect --json >"$d/out" 2>"$d/err"
	rc=$?
	if { [ $rc -eq 0 ] || [ $rc -eq 8 ]; } && "$python" - "$d/out" <<'PY'
import json, shutil, subprocess, sys
j = json.load(open(sys.argv[1]))
keys = ["distro", "package_manager", "kernels", "dkms", "compiler", "secure_boot",
        "initramfs_tool", "nics", "default_route", "errors"]
missing = [k for k in keys if k not in j]
if missing:
    sys.exit("missing keys: %s" % missing)
if shutil.which("ip"):
    out = subprocess.run(["ip", "-4", "-j", "route", "show", "default", "table", "main"],
                         capture_output=True, text=True).stdout
    routes = json.loads(out or "[]")
    if routes:
        best = min(routes, key=lambda r: r.get("metric", 0))
        got = j["default_route"]
        if not got or got["interface"] != best.get("dev") or got["gateway"] != best.get("gateway"):
            sys.exit("default route %s, ip says %s" % (got, best))
PY
	then
		pass "generated: live detect (keys, default route as ip sees it)"
	else
		fail "generated: live detect (exit $rc)"
		sed 's/^/    /' "$d/err"
	fi

	# The report for people: the same facts, in words.
	if prepare_root "$here/ubuntu-24.04-server" "$d/human"; then
		"$bin" detect --root "$d/human" >"$d/out" 2>"$d/err"
		rc=$?
		if [ $rc -eq 0 ] && [ ! -s "$d/err" ] &&
			grep -q '^Distribution: *Ubuntu 24.04 LTS (id ubuntu, version 24.04, family debian' "$d/out" &&
			grep -q '^  6.8.0-31-generic  \[default\]' "$d/out" &&
			grep -q 'vmxnet3: in-kernel 1.7.0.0-k, vnic 2.0.0' "$d/out" &&
			grep -q 'configured by: netplan (/etc/netplan/50-cloud-init.yaml)' "$d/out"; then
			pass "generated: human report"
		else
			fail "generated: human report (exit $rc)"
			sed 's/^/    /' "$d/out" "$d/err"
		fi
	else
		fail "generated: human report (could not prepare the root)"
	fi
	rm -rf "$d"
}

if [ -n "$prepare_only" ]; then
	prepare_root "$here/$prepare_only" "$prepare_dest"
	rc=$?
	rm -rf "$work"
	exit $rc
fi

cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do cases+=("$here/$c"); done
else
	for c in "$here"/*/; do [ -d "$c/root" ] && cases+=("${c%/}"); done
fi
for c in "${cases[@]}"; do
	[ -d "$c/root" ] || { fail "$(basename "$c") (no such case)"; continue; }
	run_case "$c"
done
[ $# -gt 0 ] || run_generated

echo
for b in "${broken[@]}"; do echo "FAILED: $b"; done
if [ $keep_work -eq 0 ]; then rm -rf "$work"; fi
echo "roots: $passed passed, $failed failed; step ids of plan and swap equal on $ids_equal roots, refused alike on $ids_refused"
[ $failed -eq 0 ]
