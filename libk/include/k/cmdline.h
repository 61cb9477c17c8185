/**
 * @file k/cmdline.h
 * @brief Read options from the kernel command line ("ktest heap=list quiet").
 *
 * Options are separated by spaces; each is `key` or `key=value`.
 */
#ifndef K_CMDLINE_H
#define K_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/**
 * @brief Is option @p key present (as `key` or `key=value`)?
 * @param cmdline the command line
 * @param key     the option name
 * @return true if present
 */
bool cmdline_has(const char *cmdline, const char *key);

/**
 * @brief Copy the value of `key=value` into @p buf.
 * @param cmdline the command line
 * @param key     the option name
 * @param buf     destination, NUL-terminated on success
 * @param size    size of @p buf
 * @return the value's length; -ENOENT if @p key has no `=value`; -ERANGE if it
 *         does not fit in @p buf
 */
int cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

#endif
