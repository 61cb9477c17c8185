/*
 * hello.c - the first user program: prints its arguments and environment
 * count, checks that .bss is zero and the stack is aligned, and exits with the
 * status given as its first argument (default 0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char bss[4096];

int main(int argc, char **argv, char **envp)
{
    int envc = 0;
    while (envp[envc])
        envc++;
    for (size_t i = 0; i < sizeof(bss); i++)
        if (bss[i])
            return 99;
    char *heap = malloc(100000);
    if (!heap)
        return 98;
    memset(heap, 'x', 100000);
    free(heap);
    printf("hello from pid-space: argc=%d envc=%d", argc, envc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    double d = 1.5;
    printf("float: %.2f\n", d * (argc + 1));
    /* The seed's way in: int 0x80, same numbers and registers as syscall. */
    long via_int80;
    __asm__ volatile("int $0x80" : "=a"(via_int80) : "a"(39L) : "rcx", "r11", "memory");
    printf("int 0x80 getpid: %s\n", via_int80 == (long)getpid() ? "same" : "different");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    printf("time: %lld\n", (long long)ts.tv_sec);
    return argc > 1 ? atoi(argv[1]) : 0;
}
