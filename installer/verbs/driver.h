/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver's job, shared by `driver install|remove` and swap (which installs the driver in
 * process, under its own lock, and shows the driver's real steps in `plan`): what is there
 * (distribution, kernels, tools, DKMS's state, which initramfs carries which vmxnet3), the
 * checks (Secure Boot, prerequisites) and the steps (step/driver.h). These functions print
 * their failures (they are the verbs' half of the work) and return exit codes.
 */
#pragma once

#include <stdbool.h>

#include "cli.h"
#include "step/driver.h"
#include "step/step.h"
#include "system/distro.h"
#include "system/dkms.h"
#include "system/kernel.h"
#include "system/tools.h"

struct txn;
struct report;

struct driver_job {
	const struct vnic_args *args;
	const char *root; /* NULL: the host */
	bool host;
	struct distro distro;
	struct kernel_list kernels;
	struct tools tools;
	char **targets;
	const char *running; /* the running kernel's release (host only), or NULL */
	const char *secure_boot;

	struct dkms_status st;
	struct driver_facts facts;
	char **images;               /* per kernel of facts */
	struct driver_removal *removals;
	size_t n_removals;
	struct driver_activation act;
	bool install;
	bool inert;                  /* test seam (swap's fake live): commands run as `true ...` */
	bool sources_changed;
	struct step_list steps;      /* [0, split): through the builds; [split, n): the rest */
	size_t split;
};

/* Detects the system and chooses the target kernels (default_all: every kernel). */
int driver_job_init(struct driver_job *j, const struct vnic_args *args, bool default_all);
void driver_job_done(struct driver_job *j);
/* Secure Boot and, without --install-prereqs, the prerequisites: EXIT_OK or why not. */
int driver_job_check(struct driver_job *j);
/* The steps of an install (remove: false) or a removal. EXIT_OK or why not. */
int driver_job_plan(struct driver_job *j, bool install);
/* Runs the steps through t (no rollback here): EXIT_OK, or EXIT_FAILED after saying why. */
int driver_job_apply(struct driver_job *j, struct txn *t, struct report *rep);
