/**
 * @file arch/panic.h
 * @brief panic(), assert() and frame-pointer backtraces.
 *
 * panic() prints the message with its file:line and the return addresses of the
 * callers (the kernel is built with frame pointers), then disables interrupts and
 * halts. A hook lets the in-kernel test runner turn a panic into a reported test
 * failure instead of a silent stop.
 */
#ifndef ARCH_PANIC_H
#define ARCH_PANIC_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Report a fatal error and stop. Use through the panic() macro.
 * @param file source file of the call
 * @param line source line of the call
 * @param fmt  printf-style message, then its arguments
 */
__attribute__((noreturn, format(printf, 3, 4))) void panic_at(const char *file, int line,
                                                              const char *fmt, ...);

/** @brief panic("fmt", ...) with the caller's file and line. */
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

#undef assert
#ifdef NDEBUG
/** @brief Compiled out in release builds (PROFILE=release): @p e is not evaluated. */
#define assert(e) ((void)sizeof(!(e)))
#else
/** @brief Panic with the failed expression when @p e is false. */
#define assert(e) ((e) ? (void)0 : panic_at(__FILE__, __LINE__, "assertion failed: %s", #e))
#endif

/**
 * @brief Called by panic_at() after the report and before halting. A hook may
 * end the machine itself (the test runner exits QEMU); if it returns, we halt.
 */
typedef void (*panic_hook_fn)(void);

/**
 * @brief Install the panic hook (NULL removes it).
 * @param hook the function to call
 * @return the previous hook
 */
panic_hook_fn panic_set_hook(panic_hook_fn hook);

/**
 * @brief Collect return addresses by walking the frame-pointer chain.
 *
 * Each frame is `[rbp] = caller's rbp, [rbp+8] = return address`. The walk stops
 * at a NULL or misaligned frame pointer, one outside [@p lo, @p hi), one that does
 * not move up the stack, or after @p max addresses — so a corrupt stack ends the
 * walk instead of faulting.
 *
 * @param rbp first frame pointer
 * @param out where the return addresses go
 * @param max capacity of @p out
 * @param lo  lowest address a frame may have
 * @param hi  one past the highest address a frame record may end at
 * @return the number of addresses stored
 */
size_t backtrace_collect(uintptr_t rbp, uintptr_t *out, size_t max, uintptr_t lo, uintptr_t hi);

/**
 * @brief Print a backtrace starting at frame pointer @p rbp (kernel addresses only).
 * @param rbp the frame to start from
 */
void backtrace_print(uintptr_t rbp);

#endif
