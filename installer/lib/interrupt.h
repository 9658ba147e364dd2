/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals that ask a run to stop: SIGINT and SIGTERM (Ctrl-C, systemctl stop, a shutdown) are
 * noted, and the verb rolls back at its next step instead of dying half-way. SIGHUP is noted
 * too when hup_stops, else ignored (swap: the admin's SSH session may drop while the address
 * moves, and the swap goes on to its end). SIGPIPE is ignored.
 */
#pragma once

#include <stdbool.h>

void interrupt_catch(bool hup_stops);
/* The signal that asked to stop, or 0. */
int interrupt_signal(void);
