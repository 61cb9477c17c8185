/**
 * @file kernel/klog.h
 * @brief The kernel log: a console that keeps the last KLOG_SIZE bytes of
 * everything printed, for the shell's `log` command.
 */
#ifndef KERNEL_KLOG_H
#define KERNEL_KLOG_H

#include <stddef.h>

#define KLOG_SIZE (32 * 1024) /**< Bytes of output kept. */

/** @brief Start capturing (register the log console). Call first thing in kmain. */
void klog_init(void);

/**
 * @brief Copy out the log, oldest first.
 * @param fn  called with consecutive pieces
 * @param ctx passed to @p fn
 */
void klog_read(void (*fn)(void *ctx, const char *s, size_t n), void *ctx);

#endif
