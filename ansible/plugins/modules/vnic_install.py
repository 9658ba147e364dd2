#!/usr/bin/python
# SPDX-License-Identifier: GPL-2.0-or-later
"""Ansible module: vnic-install on the target, through its JSON output."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: vnic_install
short_description: Move a VMware guest from its E1000 NIC to VMXNET3 with vnic-install
description:
  - Runs C(vnic-install) on the target and reads only its JSON output (C(--json)).
  - C(state=swapped) moves the network configuration from the E1000 to the VMXNET3 NIC beside
    it (C(vnic-install swap)); it is idempotent, C(changed=false) when the default route already
    leaves through a VMXNET3 NIC and no change is pending.
  - Check mode runs C(vnic-install plan) and changes nothing; diff mode returns the plan's file
    diffs.
  - The exit code of vnic-install is returned as C(rc) with a message saying what it means;
    the JSON of the run is returned as C(result), the plan as C(plan).
options:
  state:
    description: What the target should end as.
    type: str
    choices: [swapped, prepared, confirmed, rolled_back, driver_installed, detected]
    default: swapped
  from_interface:
    description: The E1000 interface (C(--from)); default, the one with the default route.
    type: str
  to_interface:
    description: The VMXNET3 interface (C(--to)); default, the only one.
    type: str
  check:
    description: Link checks (C(--check)), e.g. C(gateway), C(peer:10.0.0.5), C(tcp:10.0.0.5:22).
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds for the link check (C(--timeout)).
    type: int
  confirm_timeout:
    description: With state=swapped, roll back on its own unless confirmed within this many
      seconds (C(--confirm-timeout)), also across a reboot.
    type: int
  driver:
    description: Install vnic's vmxnet3 driver through DKMS as part of the swap (else
      C(--no-driver), the system's own vmxnet3 driver).
    type: bool
    default: true
  binary:
    description: The vnic-install program on the target.
    type: str
    default: vnic-install
author: vnic developers
"""

EXAMPLES = r"""
- name: Move to VMXNET3
  vnic.fleet.vnic_install:
    state: swapped
    check: [gateway, "tcp:10.0.0.5:5432"]
"""

RETURN = r"""
rc:
  description: The exit code of vnic-install.
  type: int
  returned: always
result:
  description: The last JSON object vnic-install printed (for swap, the "result" event).
  type: dict
  returned: when vnic-install ran
events:
  description: Every JSON line of a run, in order.
  type: list
  returned: when a change ran
plan:
  description: The plan (vnic-install plan --json), in check mode.
  type: dict
  returned: in check mode with state=swapped
detect:
  description: vnic-install detect --json.
  type: dict
  returned: always, when detect runs
"""

import json

from ansible.module_utils.basic import AnsibleModule

# docs/vnic-install.8, EXIT STATUS
EXIT_MEANING = {
    0: "success",
    1: "the operation failed; nothing was changed, or it was undone",
    2: "bad command line",
    3: "the link check failed and the change was rolled back",
    4: "another vnic-install holds the lock",
    5: "prerequisites are missing (kernel headers, dkms, compiler, signing key)",
    6: "the configuration is one vnic-install refuses to migrate",
    7: "a rollback or recovery could not complete: the host needs a person",
    8: "a file vnic-install read is malformed",
    9: "health: a finding is a warning",
}

VERB = {
    "swapped": ["swap", "--yes"],
    "prepared": ["prepare"],
    "confirmed": ["confirm"],
    "rolled_back": ["rollback"],
    "driver_installed": ["driver", "install", "--yes"],
}
JSON_VERBS = ("swapped", "driver_installed")


def json_objects(text):
    """The JSON values in text: one document, or one object per line."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


class Vnic(object):
    def __init__(self, module):
        self.m = module
        self.p = module.params

    def run(self, argv):
        rc, out, err = self.m.run_command([self.p["binary"]] + argv)
        return rc, json_objects(out), err

    def swap_options(self):
        a = []
        if self.p["from_interface"]:
            a += ["--from", self.p["from_interface"]]
        if self.p["to_interface"]:
            a += ["--to", self.p["to_interface"]]
        for c in self.p["check"]:
            a += ["--check", c]
        if self.p["timeout"]:
            a += ["--timeout", str(self.p["timeout"])]
        if not self.p["driver"]:
            a.append("--no-driver")
        return a

    def detect(self):
        rc, docs, err = self.run(["detect", "--json"])
        if rc not in (0, 8) or not docs:
            self.fail(rc, "vnic-install detect failed", err)
        return docs[0]

    def status(self):
        rc, docs, err = self.run(["status", "--json"])
        if rc != 0 or not docs:
            self.fail(rc, "vnic-install status failed", err)
        return docs[0]

    def fail(self, rc, what, err="", **extra):
        msg = "%s (exit %s: %s)" % (what, rc, EXIT_MEANING.get(rc, "unknown exit code"))
        if err and err.strip():
            msg += ": " + err.strip().splitlines()[-1]
        self.m.fail_json(msg=msg, rc=rc, stderr=err, **extra)


def swapped_already(det, status):
    """The default route leaves through a VMXNET3 NIC and nothing is pending."""
    if status.get("pending"):
        return False
    route = det.get("default_route") or {}
    nics = {n.get("name"): n for n in det.get("nics", [])}
    nic = nics.get(route.get("interface"))
    return bool(nic) and nic.get("model") == "vmxnet3"


def plan_diffs(plan):
    diffs = []
    for step in plan.get("steps", []):
        if step.get("kind") in ("write", "remove") and step.get("diff"):
            diffs.append({"before_header": step.get("path"), "after_header": step.get("path"),
                          "prepared": step["diff"]})
    return diffs


def do_swap(v, module):
    det = v.detect()
    status = v.status()
    if swapped_already(det, status):
        module.exit_json(changed=False, rc=0, detect=det, status=status,
                         msg="the VMXNET3 NIC already carries the configuration")
    if module.check_mode:
        rc, docs, err = v.run(["plan", "--json"] + v.swap_options())
        if rc != 0 or not docs:
            v.fail(rc, "vnic-install plan failed", err, detect=det)
        res = dict(changed=True, rc=0, plan=docs[0], detect=det, msg="would swap")
        if module._diff:
            res["diff"] = plan_diffs(docs[0])
        module.exit_json(**res)
    argv = VERB["swapped"] + ["--json"] + v.swap_options()
    if module.params["confirm_timeout"]:
        argv += ["--confirm-timeout", str(module.params["confirm_timeout"])]
    return argv, det


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="swapped", choices=list(VERB) + ["detected"]),
            from_interface=dict(type="str"),
            to_interface=dict(type="str"),
            check=dict(type="list", elements="str", default=[]),
            timeout=dict(type="int"),
            confirm_timeout=dict(type="int"),
            driver=dict(type="bool", default=True),
            binary=dict(type="str", default="vnic-install"),
        ),
        supports_check_mode=True,
    )
    v = Vnic(module)
    state = module.params["state"]
    det = None
    if state == "detected":
        module.exit_json(changed=False, rc=0, detect=v.detect(), status=v.status())
    if state == "swapped":
        argv, det = do_swap(v, module)
    else:
        status = v.status()
        pending = status.get("pending")
        if state == "confirmed" and not pending:
            module.exit_json(changed=False, rc=0, status=status, msg="nothing waits for confirm")
        last = status.get("last") or {}
        if state == "rolled_back" and not pending and last.get("state") != "committed":
            module.exit_json(changed=False, rc=0, status=status, msg="nothing to roll back")
        if module.check_mode:
            module.exit_json(changed=True, rc=0, status=status, msg="would run " + VERB[state][0])
        argv = VERB[state] + (["--json"] if state in JSON_VERBS else [])
    rc, docs, err = v.run(argv)
    result = docs[-1] if docs else {}
    if rc != 0:
        what = "vnic-install %s failed" % argv[0]
        if result.get("message"):
            what += ": " + result["message"]
        v.fail(rc, what, err, result=result, events=docs, detect=det)
    module.exit_json(changed=True, rc=rc, result=result, events=docs, detect=det,
                     msg=result.get("message", "done"))


if __name__ == "__main__":
    main()
