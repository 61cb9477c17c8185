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
 *
 * One line per frame, as backtrace_print_frame() prints it.
 * @param rbp the frame to start from
 */
void backtrace_print(uintptr_t rbp);

/**
 * @brief Print one backtrace line: `  #i address function+0xoff (path/file.c:line)`.
 *
 * The name comes from ksym_lookup() and the line from kline_lookup(); each is
 * left out when unknown (a kernel built without debug information has no
 * lines). A return address is looked up at @p pc - 1, inside its call
 * instruction, so the line is the call site's and a call that ends a
 * function is not taken for the next one; the offset printed is still
 * @p pc's.
 * @param i         the frame's number
 * @param pc        a kernel code address
 * @param is_return whether @p pc is a return address (else the instruction itself)
 * @param note      printed after the location as ` (note)`, or NULL
 */
void backtrace_print_frame(size_t i, uintptr_t pc, int is_return, const char *note);

#endif
