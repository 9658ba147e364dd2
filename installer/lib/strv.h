/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

void strv_free(char **l);
static inline void strv_freep(char ***l)
{
	strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
/* Appends a copy of s; returns 0 or -ENOMEM (the vector is unchanged on failure). */
int strv_push(char ***l, const char *s);
/* Appends a copy of each word of the NULL-terminated more; 0 or -ENOMEM. */
int strv_extend(char ***l, const char *const *more);
/* Appends s itself, taking ownership only on success. */
int strv_consume(char ***l, char *s);
bool strv_contains(char *const *l, const char *s);
/* Splits s at any of the separator characters, dropping empty fields. */
int strv_split(const char *s, const char *separators, char ***ret);
int strv_sort(char **l);
/* The words of l joined by sep into a new string ("" for an empty list); NULL on ENOMEM. */
char *strv_join(char *const *l, const char *sep);
