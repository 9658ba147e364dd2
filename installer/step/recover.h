/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnic-recover.service: at boot, before the network services start, undoes a run that a crash
 * or a power cut interrupted (`vnic-install recover --boot`). swap makes sure it will run.
 */
#pragma once

#include "step/step.h"

#define RECOVER_UNIT_NAME "vnic-recover.service"
#define RECOVER_UNIT_PATH "/etc/systemd/system/vnic-recover.service"
#define RECOVER_WANTS_PATH "/etc/systemd/system/multi-user.target.d/50-vnic-recover.conf"

/* The unit's text, equal to installer/systemd/vnic-recover.service. */
extern const char recover_unit_text[];

/*
 * What makes systemd run the unit at the next boot, as steps: the drop-in through which
 * multi-user.target wants it, and the unit itself where the system has none (vnic-install run
 * from a copy rather than installed). Nothing when both are there. Returns 0 or -errno.
 */
int recover_steps(const char *root, struct step_list *l);
