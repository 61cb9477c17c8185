/**
 * @file kernel/selftest.h
 * @brief Boot-time self-tests that cannot run as ordinary KTESTs because they end
 * the machine: booting with `selftest=NAME` runs one and exits QEMU with its result.
 *
 * - `selftest=stack_overflow`: recurse until the boot stack hits its guard page;
 *   passes when the double-fault handler, on its IST stack, reports a kernel
 *   stack overflow.
 * - `selftest=thread_stack_overflow`: the same in a kernel thread, whose stack
 *   and guard page come from libmm.
 * - `selftest=page_fault`: dereference an unmapped address with no handler
 *   installed; the default report and panic must follow (use with `panic=exit`).
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/**
 * @brief Run the self-test named on the command line, if any. Returns only when
 * the command line names none.
 * @param cmdline the kernel command line
 */
void selftest_run(const char *cmdline);

#endif
