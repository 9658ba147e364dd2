/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The verbs: each composes the floors below it and reports once. */
#pragma once

#include "cli.h"

int verb_help(const struct vnic_args *args);
int verb_detect(const struct vnic_args *args);
int verb_health(const struct vnic_args *args);
int verb_tune(const struct vnic_args *args);
/* The dry run of tune (plan tune). */
int verb_tune_plan(const struct vnic_args *args);
int verb_driver(const struct vnic_args *args);
int verb_status(const struct vnic_args *args);
int verb_recover(const struct vnic_args *args);
int verb_confirm(const struct vnic_args *args);
int verb_rollback(const struct vnic_args *args);

struct report;
/* The progress reporter for a verb: JSON lines with --json, quiet with -q (lib/report.h). */
void verb_report_init(struct report *r, const struct vnic_args *a, unsigned total);

struct txn;
/* txn_begin() for a verb: recovers an interrupted run first, and reports failures (returns
 * -errno after printing). */
int begin_transaction(const struct vnic_args *args, const char *op, struct txn **ret);
int verb_version(const struct vnic_args *args);
int verb_prepare(const struct vnic_args *args);
/* The dry run of prepare (plan --root|--image, plan prepare). */
int verb_prepare_plan(const struct vnic_args *args);
int verb_guard(const struct vnic_args *args);
int verb_plan(const struct vnic_args *args);
int verb_swap(const struct vnic_args *args);
/* A step of swap's plan: waits until a NIC is an up port of its bond or bridge. */
int verb_wait_port(const struct vnic_args *args);
