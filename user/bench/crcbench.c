/*
 * crcbench.c - a CPU-bound parallel workload for the SMP scaling benchmark,
 * the same static binary on Kestrel and on Linux (tests/bench/smp_vs_linux.py).
 *
 *   crcbench [-p PROCS] [-m MIB]
 *
 * Forks PROCS processes (default 1). Each fills a 256 KiB buffer of its own
 * (the same bytes in each) and runs a CRC-32 over it again and again, each
 * pass going on from the last one's value (so no pass can be skipped), until
 * it has covered MIB MiB (default 64); it exits with the CRC's low byte, and
 * the parent checks that every worker got the same one. The parent times
 * from before the first fork to after the last wait. The work is all in
 * user space (no system calls inside the loop), and the buffer fits in a
 * core's caches, so the processes scale as far as the kernel lets them run
 * at once.
 *
 * Output, for a script to parse:
 *
 *   crcbench clock NAME                 just before the clock is first read
 *   crcbench NAME MIBPS procs=P mib=M secs=S
 *   crcbench NAME error REASON
 *   crcbench done
 *
 * NAME is crc_pP. The `clock` line lets the host time the run from outside.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256u << 10)

static uint32_t table[256];

/* The reflected CRC-32 of IEEE 802.3 (polynomial 0xEDB88320), a byte at a time. */
static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

/* Continue CRC @p c (0xFFFFFFFF to start) over @p n bytes. */
static uint32_t crc32_update(uint32_t c, const uint8_t *p, size_t n)
{
    while (n--)
        c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

/* One worker: @p passes over its buffer; exits with the CRC's low byte. */
static int worker(unsigned passes)
{
    uint8_t *buf = malloc(BUF_SIZE);
    if (!buf)
        _exit(255);
    uint32_t x = 1;
    for (size_t i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned i = 0; i < passes; i++)
        c = crc32_update(c, buf, BUF_SIZE);
    free(buf);
    return (int)((c ^ 0xFFFFFFFFu) & 0x7F); /* below 128: never mistaken for a signal */
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned procs = 1, mib = 64;
    int c;
    while ((c = getopt(argc, argv, "p:m:")) != -1) {
        if (c == 'p')
            procs = (unsigned)strtoul(optarg, NULL, 10);
        else if (c == 'm')
            mib = (unsigned)strtoul(optarg, NULL, 10);
        else {
            fprintf(stderr, "usage: crcbench [-p PROCS] [-m MIB]\n");
            return 2;
        }
    }
    if (procs < 1 || procs > 256 || mib < 1) {
        fprintf(stderr, "crcbench: PROCS must be 1 to 256 and MIB at least 1\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    crc_init();
    char name[32];
    snprintf(name, sizeof(name), "crc_p%u", procs);
    unsigned passes = mib * (1u << 20) / BUF_SIZE;
    printf("crcbench clock %s\n", name);
    double t0 = now();
    for (unsigned i = 0; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            printf("crcbench %s error fork failed\n", name);
            return 1;
        }
        if (pid == 0)
            _exit(worker(passes));
    }
    int bad = 0, status, first = -1;
    for (unsigned i = 0; i < procs; i++) {
        if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) > 127)
            bad++;
        else if (first < 0)
            first = WEXITSTATUS(status);
        else if (WEXITSTATUS(status) != first)
            bad++; /* the same bytes, the same passes: the same CRC */
    }
    double secs = now() - t0;
    if (bad)
        printf("crcbench %s error %d of %u workers failed or disagreed\n", name, bad, procs);
    else
        printf("crcbench %s %.1f procs=%u mib=%u secs=%.3f\n", name,
               secs > 0 ? (double)procs * mib / secs : 0.0, procs, mib, secs);
    printf("crcbench done\n");
    return bad ? 1 : 0;
}
