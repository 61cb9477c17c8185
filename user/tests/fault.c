/*
 * fault.c - faults that must end only this process: fault null (read of page
 * 0), fault kernel (read of a kernel address), fault gp (a non-canonical
 * address: a general-protection fault), fault text (write to its own
 * code), fault ud (invalid opcode), fault div (divide by zero), fault stack
 * (unbounded recursion into the guard gap).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Deliberately unbounded: the point is to run into the stack's guard gap. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(volatile int n)
{
    volatile char pad[4096];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "null";
    volatile int zero = 0;
    if (!strcmp(what, "null"))
        return *(volatile int *)0;
    if (!strcmp(what, "kernel"))
        return *(volatile int *)0xffffffff80100000ull;
    if (!strcmp(what, "gp")) /* a non-canonical address: #GP, not a page fault */
        return *(volatile int *)0x8000000000000000ull;
    if (!strcmp(what, "text")) {
        *(volatile uint8_t *)(uintptr_t)main = 0xc3;
        return 0;
    }
    if (!strcmp(what, "ud"))
        __asm__ volatile("ud2");
    if (!strcmp(what, "div"))
        return 10 / zero;
    if (!strcmp(what, "stack"))
        return recurse(0);
    fprintf(stderr, "fault: unknown fault %s\n", what);
    return 2;
}
