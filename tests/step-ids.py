#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The invariant of the step layer: the step ids a dry run shows are the step ids the real run
journals, in the same order (installer/step/step.h).

  step-ids.py BIN ROOT VERB [ARG...]

runs `BIN plan ... --json` for VERB (swap: `plan --root ROOT ARG...`; prepare: `plan prepare
--root ROOT ARG...`), then the verb itself (`BIN VERB --root ROOT ARG...`, swap with --yes), and compares
the ids of the plan's steps with the STEP records of the transactions the run wrote (found in
ROOT/var/lib/vnic, pending or in the history, oldest first). When the plan refuses, the run
must refuse too, with the same exit code, and journal nothing. Prints what it compared; exit
status 0 when equal, 1 when not, 2 when it could not run. For swap on a fake root set
VNIC_TEST_FAKE_LIVE=1 (the test seam that lets swap treat ROOT as the running system).
"""
import json
import os
import subprocess
import sys
import urllib.parse


def journals(root):
    """Every transaction journal under ROOT's state directory, oldest first (ids sort by time)."""
    found = []
    for sub in ("history", "txn"):
        d = os.path.join(root, "var/lib/vnic", sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            j = os.path.join(d, name, "journal")
            if not name.startswith(".") and os.path.isfile(j):
                found.append((name, j))
    return [j for _, j in sorted(found)]


def journaled_ids(paths):
    ids = []
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.rstrip("\n").split(" ")
                if fields[0] == "STEP" and len(fields) >= 2:
                    ids.append(urllib.parse.unquote(fields[1]))
    return ids


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, root, verb, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    plan_cmd = [binary, "plan"] + (["prepare"] if verb == "prepare" else []) + \
        ["--root", root, "--json"] + args
    plan = subprocess.run(plan_cmd, capture_output=True, text=True)
    before = journals(root)
    yes = ["--yes"] if verb == "swap" else []
    run = subprocess.run([binary, verb, "--root", root] + yes + args, capture_output=True,
                         text=True)
    new = [j for j in journals(root) if j not in before]
    if plan.returncode != 0:
        if run.returncode == plan.returncode and not new:
            print(f"  refused alike: plan and {verb} exit {plan.returncode}, nothing journaled")
            return 0
        print(f"  plan exit {plan.returncode} but {verb} exit {run.returncode}, "
              f"{len(new)} journals\n  plan: {plan.stderr.strip()}\n  run: {run.stderr.strip()}")
        return 1
    try:
        planned = [s["id"] for s in json.loads(plan.stdout)["steps"]]
    except (ValueError, KeyError) as e:
        print(f"  plan --json is not a plan: {e}\n{plan.stdout[:2000]}")
        return 2
    got = journaled_ids(new)
    if run.returncode != 0:
        print(f"  the plan passed but {verb} exit {run.returncode}:\n{run.stdout}{run.stderr}")
        return 1
    if planned == got:
        print(f"  {len(planned)} step ids equal ({verb}, {len(new)} transaction(s))")
        return 0
    print(f"  the plan's step ids differ from the journal's ({verb}):")
    for i in range(max(len(planned), len(got))):
        a = planned[i] if i < len(planned) else "-"
        b = got[i] if i < len(got) else "-"
        print(f"  {'  ' if a == b else '!='} {i + 1:3} plan {a}\n  {'  ' if a == b else '!='}"
              f"     run  {b}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
