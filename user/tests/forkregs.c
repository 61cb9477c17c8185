/*
 * forkregs.c - fork, vfork and clone keep the caller's registers, in the
 * parent and in the child. The x86-64 system-call ABI clobbers only RAX (the
 * result), RCX and R11; a program may keep anything in the other registers
 * across a `syscall`, including one that creates a process.
 *
 * Usage: forkregs. Each call is made by hand, with a known value in every
 * register the ABI preserves. Parent and child each compare the registers
 * after the call and print the ones that changed. Prints a line per call and
 * exits 0 when all of them passed.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NREGS 11

static const char *const names[NREGS] = { "rbx", "rbp", "r12", "r13", "r14", "r15",
                                          "rdi", "rsi", "rdx", "r8",  "r9" };

/* The first argument of the call: a global, so that the assembly reaches it
 * by its address and not relative to a stack pointer it moves. */
static long first_arg;

/* Make system call @nr with @a0 in RDI and 0 in RSI, RDX, R10, R8 and R9, as
 * fork and a fork-like clone want them, and return its result; *@bad gets one
 * bit per register of names[] that did not come back as it went in. */
static long call_keeping(long nr, long a0, unsigned *bad)
{
    first_arg = a0;
    long ret, mask;
    __asm__ volatile("push %%rbp\n\t"
                     "mov $0x0123456789abcdef, %%rbx\n\t"
                     "mov $0x1111111111111111, %%rbp\n\t"
                     "mov $0x2222222222222222, %%r12\n\t"
                     "mov $0x3333333333333333, %%r13\n\t"
                     "mov $0x4444444444444444, %%r14\n\t"
                     "mov $0x5555555555555555, %%r15\n\t"
                     "mov %[a0], %%rdi\n\t"
                     "xor %%esi, %%esi\n\t"
                     "xor %%edx, %%edx\n\t"
                     "xor %%r10d, %%r10d\n\t"
                     "xor %%r8d, %%r8d\n\t"
                     "xor %%r9d, %%r9d\n\t"
                     "syscall\n\t"
                     "xor %%ecx, %%ecx\n\t"
                     "mov $0x0123456789abcdef, %%r11\n\t"
                     "cmp %%r11, %%rbx\n\t"
                     "setne %%cl\n\t"
                     "mov $0x1111111111111111, %%r11\n\t"
                     "cmp %%r11, %%rbp\n\t"
                     "jz 1f\n\t"
                     "or $2, %%ecx\n"
                     "1:\n\t"
                     "mov $0x2222222222222222, %%r11\n\t"
                     "cmp %%r11, %%r12\n\t"
                     "jz 1f\n\t"
                     "or $4, %%ecx\n"
                     "1:\n\t"
                     "mov $0x3333333333333333, %%r11\n\t"
                     "cmp %%r11, %%r13\n\t"
                     "jz 1f\n\t"
                     "or $8, %%ecx\n"
                     "1:\n\t"
                     "mov $0x4444444444444444, %%r11\n\t"
                     "cmp %%r11, %%r14\n\t"
                     "jz 1f\n\t"
                     "or $16, %%ecx\n"
                     "1:\n\t"
                     "mov $0x5555555555555555, %%r11\n\t"
                     "cmp %%r11, %%r15\n\t"
                     "jz 1f\n\t"
                     "or $32, %%ecx\n"
                     "1:\n\t"
                     "cmp %[a0], %%rdi\n\t"
                     "jz 1f\n\t"
                     "or $64, %%ecx\n"
                     "1:\n\t"
                     "test %%rsi, %%rsi\n\t"
                     "jz 1f\n\t"
                     "or $128, %%ecx\n"
                     "1:\n\t"
                     "test %%rdx, %%rdx\n\t"
                     "jz 1f\n\t"
                     "or $256, %%ecx\n"
                     "1:\n\t"
                     "test %%r8, %%r8\n\t"
                     "jz 1f\n\t"
                     "or $512, %%ecx\n"
                     "1:\n\t"
                     "test %%r9, %%r9\n\t"
                     "jz 1f\n\t"
                     "or $1024, %%ecx\n"
                     "1:\n\t"
                     "pop %%rbp"
                     : "=a"(ret), "=c"(mask)
                     : "a"(nr), [a0] "m"(first_arg)
                     : "rbx", "rdi", "rsi", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
                       "r15", "memory", "cc");
    *bad = (unsigned)mask;
    return ret;
}

/* "rbx r12" for the registers set in @bad, into @out. */
static void list_bad(unsigned bad, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; i < NREGS; i++)
        if (bad & (1u << i)) {
            strncat(out, " ", size - strlen(out) - 1);
            strncat(out, names[i], size - strlen(out) - 1);
        }
}

/* One call: 0 when both sides kept every register. */
static int check(const char *what, long nr, long a0)
{
    unsigned bad;
    char list[80];
    long pid = call_keeping(nr, a0, &bad);
    if (pid == 0) {
        /* The child. With a real vfork it runs on the parent's memory until
         * it exits, so it writes with write(2) and ends with _exit(2). */
        if (bad) {
            char line[160];
            list_bad(bad, list, sizeof(list));
            snprintf(line, sizeof(line), "forkregs: %s: the child's registers changed:%s\n", what,
                     list);
            write(1, line, strlen(line));
        }
        _exit(bad ? 1 : 0);
    }
    if (pid < 0) {
        printf("forkregs: %s: failed with %ld\n", what, pid);
        return 1;
    }
    int status;
    if (waitpid((pid_t)pid, &status, 0) != pid || !WIFEXITED(status)) {
        printf("forkregs: %s: the child did not exit\n", what);
        return 1;
    }
    if (bad) {
        list_bad(bad, list, sizeof(list));
        printf("forkregs: %s: the parent's registers changed:%s\n", what, list);
    }
    if (bad || WEXITSTATUS(status))
        return 1;
    printf("forkregs: %s: parent and child kept every register\n", what);
    return 0;
}

int main(void)
{
    int failed = check("fork", SYS_fork, 0);
    failed |= check("vfork", SYS_vfork, 0);
    failed |= check("clone", SYS_clone, SIGCHLD); /* fork-like: no sharing */
    fflush(stdout);
    return failed;
}
