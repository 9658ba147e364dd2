/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cleanup attributes for libkmod's handles (one place for every user of libkmod). */
#pragma once

#include <libkmod.h>

#include "macro.h"

static inline void kmod_ctx_unrefp(struct kmod_ctx **c)
{
	if (*c)
		kmod_unref(*c);
}
static inline void kmod_module_unrefp(struct kmod_module **m)
{
	if (*m)
		kmod_module_unref(*m);
}
static inline void kmod_module_unref_listp(struct kmod_list **l)
{
	if (*l)
		kmod_module_unref_list(*l);
}
static inline void kmod_module_info_free_listp(struct kmod_list **l)
{
	if (*l)
		kmod_module_info_free_list(*l);
}
#define _cleanup_kmod_ctx_ _cleanup_(kmod_ctx_unrefp)
#define _cleanup_kmod_module_ _cleanup_(kmod_module_unrefp)
#define _cleanup_kmod_list_ _cleanup_(kmod_module_unref_listp)
#define _cleanup_kmod_info_ _cleanup_(kmod_module_info_free_listp)
