/**
 * @file k/kprintf.h
 * @brief printf-style formatting for the kernel, and kprintf() to every console.
 *
 * Conversions: `%s %c %d %i %u %x %X %o %p %%`, with the length modifiers
 * `hh h l ll z j t`, the flags `-` (left-justify), `0` (zero-pad), `+`, space and
 * `#`, a field width and a precision (either may be `*`). There is no floating
 * point. An unknown conversion is printed as written. A NULL `%s` prints "(null)".
 */
#ifndef K_KPRINTF_H
#define K_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/**
 * @brief Where formatted output goes: called with consecutive pieces of it.
 * @param ctx the context given to kvformat()
 * @param s   the bytes (not NUL-terminated)
 * @param n   how many
 */
typedef void (*kformat_sink)(void *ctx, const char *s, size_t n);

/**
 * @brief Format @p fmt with @p ap, handing the output to @p sink piece by piece.
 * @param sink receives the output
 * @param ctx  passed through to @p sink
 * @param fmt  the format
 * @param ap   the arguments
 * @return the number of characters produced
 */
int kvformat(kformat_sink sink, void *ctx, const char *fmt, va_list ap);

/**
 * @brief Format into a buffer, like vsnprintf().
 * @param buf  destination; always NUL-terminated when @p size > 0
 * @param size size of @p buf in bytes
 * @param fmt  the format
 * @param ap   the arguments
 * @return the length the full output would have had (so >= @p size means truncated)
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/**
 * @brief Format into a buffer, like snprintf(). See kvsnprintf().
 * @param buf  destination
 * @param size size of @p buf in bytes
 * @param fmt  the format, then its arguments
 * @return the length the full output would have had
 */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * @brief Print to every registered console (k/console.h) under the console
 * lock, so a whole call's output is never interleaved with another's.
 * @param fmt the format, then its arguments
 * @return the number of characters printed
 */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @brief kprintf() with a va_list.
 * @param fmt the format
 * @param ap  the arguments
 * @return the number of characters printed
 */
int kvprintf(const char *fmt, va_list ap);

#endif
