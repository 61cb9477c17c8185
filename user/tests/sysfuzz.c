/*
 * sysfuzz.c - random system calls with hostile arguments. The kernel must
 * answer every one with a result or an error, and never panic or leak.
 *
 * Usage: sysfuzz [CALLS] [SEED]. The calls are made by children of BATCH
 * calls each: a call may legitimately destroy the caller (munmap of its own
 * stack, a signal it sent itself), so each child is expendable. The parent
 * kills a child that blocks for too long (a read on a pipe it holds the other
 * end of), reaps every child, and prints a summary. The calls that would end
 * the test itself rather than exercise the kernel are left out: exit,
 * exit_group, rt_sigreturn, reboot; kill and friends only target the child.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static char buffer[8192];

static uint64_t hostile(void)
{
    switch (next() % 14) {
    case 0: return 0;
    case 1: return (uint64_t)-1;
    case 2: return next() % 8;                       /* small: descriptors, flags */
    case 3: return next() % 70;                      /* descriptor range edge */
    case 4: return 0x1000;                           /* unmapped user page */
    case 5: return 0xffff800000000000ull;            /* the direct map */
    case 6: return 0xffffffff80100000ull;            /* kernel text */
    case 7: return 0x00007ffffffff000ull - (next() % 64); /* the top of user space */
    case 8: return (uint64_t)(uintptr_t)buffer;      /* a real buffer */
    case 9: return (uint64_t)(uintptr_t)(buffer + sizeof(buffer) - (next() % 16)); /* its edge */
    case 10: return 1ull << (next() % 64);           /* huge lengths */
    case 11: return 0x8000000000000000ull;           /* non-canonical */
    case 12: return next() & 0xffffffff;
    default: return next();
    }
}

static int excluded(long nr)
{
    return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_rt_sigreturn || nr == SYS_reboot;
}

static void batch(uint64_t seed)
{
    /* Standard I/O to /dev/null: a huge write to the serial console would
     * take hours at 115200 baud without telling anything new. */
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null >= 0; fd++)
        dup2(null, fd);
    rng = seed | 1;
    pid_t self = getpid();
    for (int i = 0; i < BATCH; i++) {
        long nr = (long)(next() % 340);
        if (next() % 50 == 0)
            nr = (long)hostile(); /* numbers far outside the table too */
        if (excluded(nr))
            continue;
        uint64_t a[6];
        for (int k = 0; k < 6; k++)
            a[k] = hostile();
        if (nr == SYS_kill || nr == SYS_tkill)
            a[0] = (uint64_t)self;
        if (nr == SYS_tgkill)
            a[0] = a[1] = (uint64_t)self;
        if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep)
            continue; /* random times could sleep for years */
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if ((nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone) && r == 0)
            _exit(0); /* a child of the fuzzer: nothing more to do */
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 100000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed;
    long batches = (calls + BATCH - 1) / BATCH;
    long finished = 0, killed_by_self = 0, timed_out = 0;
    for (long b = 0; b < batches; b++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("sysfuzz: fork");
            return 1;
        }
        if (pid == 0)
            batch(seed * 1000003 + (uint64_t)b);
        int status = 0;
        for (int waited = 0;; waited++) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid)
                break;
            if (w < 0) {
                perror("sysfuzz: waitpid");
                return 1;
            }
            if (waited == 200) { /* 2 s: blocked on something it made itself */
                kill(pid, SIGKILL);
                timed_out++;
            }
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        if (WIFEXITED(status))
            finished++;
        else
            killed_by_self++;
    }
    /* Reap whatever the fuzzed calls forked and left behind. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    printf("sysfuzz: %ld calls in %ld batches: %ld finished, %ld ended by their own calls, "
           "%ld stopped after blocking\n",
           batches * BATCH, batches, finished, killed_by_self, timed_out);
    return 0;
}
