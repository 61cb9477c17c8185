/*
 * dd.c - copy and convert a file in blocks (POSIX dd, with GNU's flags).
 *
 *   dd [if=FILE] [of=FILE] [bs=N | ibs=N obs=N] [count=N] [skip=N] [seek=N]
 *      [conv=notrunc,fsync,fdatasync,sync,noerror,excl,nocreat]
 *      [iflag=direct,fullblock,sync,dsync] [oflag=direct,sync,dsync]
 *      [status=none|noxfer|progress]
 * Sizes take the suffixes c (1), w (2), b (512), k or K (1024), kB (1000),
 * M G T (powers of 1024), MB GB TB (of 1000), and products (2x512). With
 * bs= each block read is written as it is; otherwise the input is
 * collected into blocks of obs bytes (POSIX's reblocking). count= counts
 * input blocks, skip= input blocks (seeking, or reading them on a pipe),
 * seek= output blocks (the output is truncated there unless conv=notrunc).
 * iflag=fullblock reads until a block is full. direct opens with O_DIRECT:
 * the buffers are aligned to 4096 bytes, and a last write that is not a
 * multiple of 512 bytes is made with O_DIRECT turned off, as GNU dd does.
 *
 * At the end, on standard error as coreutils writes them:
 *   1+0 records in
 *   1+0 records out
 *   1048576 bytes (1.0 MB, 1.0 MiB) copied, 0.00458 s, 229 MB/s
 * (full+partial blocks; status=noxfer leaves out the last line, none all
 * three; progress adds a line updated every second). The time is measured
 * with CLOCK_MONOTONIC from the first read to the end of the last write
 * and of conv=fsync, so the same binary gives comparable numbers on Kestrel
 * and on Linux. SIGUSR1 prints the statistics so far; SIGINT prints them
 * and ends dd. Exit status 0, 1 if anything failed, 2 bad usage.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ALIGN 4096

static const char *usage =
    "[if=FILE] [of=FILE] [bs=N] [ibs=N] [obs=N] [count=N] [skip=N] [seek=N] [conv=LIST] "
    "[iflag=LIST] [oflag=LIST] [status=none|noxfer|progress]";

enum {
    C_NOTRUNC = 1,
    C_FSYNC = 2,
    C_FDATASYNC = 4,
    C_SYNC = 8,
    C_NOERROR = 16,
    C_EXCL = 32,
    C_NOCREAT = 64
};
enum { F_DIRECT = 1, F_FULLBLOCK = 2, F_SYNC = 4, F_DSYNC = 8 };
enum { S_DEFAULT, S_NONE, S_NOXFER, S_PROGRESS };

static struct {
    unsigned long long in_full, in_part, out_full, out_part, bytes;
    struct timespec start;
    int progress_len; /* the length of the last progress line, 0 if none */
} st;
static int status_level = S_DEFAULT;
static volatile sig_atomic_t got_sigint, got_sigusr1;

static void on_signal(int sig)
{
    if (sig == SIGINT)
        got_sigint = 1;
    else
        got_sigusr1 = 1;
}

/* A size: digits, an optional suffix, and optionally "x" and another size. */
static int parse_size(const char *s, unsigned long long *out)
{
    static const struct {
        const char *suffix;
        unsigned long long mult;
    } suffixes[] = {
        { "", 1 },
        { "c", 1 },
        { "w", 2 },
        { "b", 512 },
        { "k", 1024 },
        { "K", 1024 },
        { "KiB", 1024 },
        { "kB", 1000 },
        { "KB", 1000 },
        { "M", 1ull << 20 },
        { "MiB", 1ull << 20 },
        { "MB", 1000000 },
        { "G", 1ull << 30 },
        { "GiB", 1ull << 30 },
        { "GB", 1000000000 },
        { "T", 1ull << 40 },
        { "TiB", 1ull << 40 },
        { "TB", 1000000000000ull },
    };
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    const char *x = strchr(end, 'x');
    size_t slen = x ? (size_t)(x - end) : strlen(end);
    size_t i, n = sizeof(suffixes) / sizeof(suffixes[0]);
    for (i = 0; i < n; i++)
        if (strlen(suffixes[i].suffix) == slen && !strncmp(end, suffixes[i].suffix, slen))
            break;
    if (i == n || (v && suffixes[i].mult > ULLONG_MAX / v))
        return -1;
    v *= suffixes[i].mult;
    if (x) {
        unsigned long long rest;
        if (parse_size(x + 1, &rest) != 0 || (v && rest > ULLONG_MAX / v))
            return -1;
        v *= rest;
    }
    *out = v;
    return 0;
}

/* Set the bits of the comma-separated NAMES in *mask; -1 on an unknown name. */
static int parse_flags(const char *list, const char *const *names, int *mask)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        int i;
        for (i = 0; names[i] && strcmp(names[i], w); i++)
            ;
        if (!names[i]) {
            util_msg("%s: unknown flag", w);
            return -1;
        }
        *mask |= 1 << i;
    }
    return 0;
}

/* A quantity as coreutils' human_readable() shows dd's, in units of BASE.
 * An exact byte count: to the nearest tenth below 10 units, else to the
 * nearest unit ("1.0 MB", "10 kB"). A rate (INEXACT): to the nearest tenth
 * unless that takes more than four characters ("30.4 MB", "229 MB"). */
static void human(double v, int base, int inexact, char *out, size_t size)
{
    static const char *const si[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
    static const char *const iec[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int u = -1;
    while (v >= base && u < 5) {
        v /= base;
        u++;
    }
    if (u < 0) {
        snprintf(out, size, "%.0f B", v);
        return;
    }
    const char *unit = base == 1000 ? si[u] : iec[u];
    char num[32];
    snprintf(num, sizeof(num), "%.1f", v);
    if (inexact ? strlen(num) > 4 : v >= 10 || (long long)(v * 10 + 0.5) >= 100)
        snprintf(num, sizeof(num), "%.0f", v);
    if (atof(num) >= base && u < 5) {
        snprintf(num, sizeof(num), "1.0");
        unit = base == 1000 ? si[u + 1] : iec[u + 1];
    }
    snprintf(out, size, "%s %s", num, unit);
}

static double elapsed(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - st.start.tv_sec) + (double)(now.tv_nsec - st.start.tv_nsec) / 1e9;
}

/* The "N bytes (...) copied, T s, R/s" line, without its end. */
static void transfer_line(char *out, size_t size, int progress)
{
    double secs = elapsed();
    char rate[32], si[32], iec[32], time[32];
    if (st.bytes == 0)
        snprintf(rate, sizeof(rate), "0.0 kB/s");
    else if (secs <= 0)
        snprintf(rate, sizeof(rate), "Infinity B/s");
    else {
        human((double)st.bytes / secs, 1000, 1, rate, sizeof(rate) - 2);
        strcat(rate, "/s");
    }
    snprintf(time, sizeof(time), progress ? "%.0f s" : "%g s", secs);
    human((double)st.bytes, 1000, 0, si, sizeof(si));
    human((double)st.bytes, 1024, 0, iec, sizeof(iec));
    if (st.bytes < 1000)
        snprintf(out, size, "%llu byte%s copied, %s, %s", st.bytes, st.bytes == 1 ? "" : "s", time,
                 rate);
    else if (st.bytes < 1024)
        snprintf(out, size, "%llu bytes (%s) copied, %s, %s", st.bytes, si, time, rate);
    else
        snprintf(out, size, "%llu bytes (%s, %s) copied, %s, %s", st.bytes, si, iec, time, rate);
}

static void print_stats(void)
{
    if (status_level == S_NONE)
        return;
    char line[256];
    if (st.progress_len) {
        fputc('\n', stderr);
        st.progress_len = 0;
    }
    fprintf(stderr, "%llu+%llu records in\n%llu+%llu records out\n", st.in_full, st.in_part,
            st.out_full, st.out_part);
    if (status_level == S_NOXFER)
        return;
    transfer_line(line, sizeof(line), 0);
    fprintf(stderr, "%s\n", line);
}

static void progress(void)
{
    static double next = 1;
    if (status_level != S_PROGRESS || elapsed() < next)
        return;
    next = elapsed() + 1;
    char line[256];
    transfer_line(line, sizeof(line), 1);
    int len = (int)strlen(line);
    fprintf(stderr, "\r%s%*s", line, st.progress_len > len ? st.progress_len - len : 0, "");
    st.progress_len = len;
}

/* After each system call: SIGUSR1 prints, SIGINT prints and stops dd. */
static void check_signals(void)
{
    if (got_sigusr1) {
        got_sigusr1 = 0;
        print_stats();
    }
    if (got_sigint) {
        print_stats();
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
        _exit(130);
    }
}

/* One read of up to N bytes (with fullblock, reads until N or the end). */
static ssize_t read_block(int fd, char *buf, size_t n, int fullblock)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        check_signals();
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return got ? (ssize_t)got : -1;
        if (r == 0)
            break;
        got += (size_t)r;
        if (!fullblock)
            break;
    }
    return (ssize_t)got;
}

/* Write all of BUF as one output record. */
static int write_block(int fd, const char *buf, size_t n, size_t obs, int direct, const char *name)
{
    if (direct && n % 512) {
        /* O_DIRECT needs whole sectors: write the odd tail through the cache. */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_DIRECT);
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        check_signals();
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            util_errno(name, w < 0 ? errno : ENOSPC);
            if (done) {
                st.out_part++;
                st.bytes += done;
            }
            return UTIL_ERR;
        }
        done += (size_t)w;
    }
    if (n == obs)
        st.out_full++;
    else
        st.out_part++;
    st.bytes += n;
    progress();
    return UTIL_OK;
}

static void *aligned(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, ALIGN, n ? n : 1) != 0)
        return NULL;
    return p;
}

int main(int argc, char **argv)
{
    static const char *const conv_names[] = { "notrunc", "fsync", "fdatasync", "sync",
                                              "noerror", "excl",  "nocreat",   NULL };
    static const char *const flag_names[] = { "direct", "fullblock", "sync", "dsync", NULL };
    util_init("dd");
    const char *in_name = NULL, *out_name = NULL;
    unsigned long long ibs = 512, obs = 512, bs = 0, count = ULLONG_MAX, skip = 0, seek = 0;
    int conv = 0, iflag = 0, oflag = 0;
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            util_msg("%s: unknown operand", argv[i]);
            util_usage(usage);
        }
        size_t klen = (size_t)(eq - argv[i]);
        const char *val = eq + 1;
#define KEY(k) (klen == strlen(k) && !strncmp(argv[i], k, klen))
        int bad = 0;
        if (KEY("if"))
            in_name = val;
        else if (KEY("of"))
            out_name = val;
        else if (KEY("bs"))
            bad = parse_size(val, &bs) || !bs;
        else if (KEY("ibs"))
            bad = parse_size(val, &ibs) || !ibs;
        else if (KEY("obs"))
            bad = parse_size(val, &obs) || !obs;
        else if (KEY("count"))
            bad = parse_size(val, &count);
        else if (KEY("skip"))
            bad = parse_size(val, &skip);
        else if (KEY("seek"))
            bad = parse_size(val, &seek);
        else if (KEY("conv"))
            bad = parse_flags(val, conv_names, &conv);
        else if (KEY("iflag"))
            bad = parse_flags(val, flag_names, &iflag);
        else if (KEY("oflag"))
            bad = parse_flags(val, flag_names, &oflag) || (oflag & F_FULLBLOCK);
        else if (KEY("status")) {
            if (!strcmp(val, "none"))
                status_level = S_NONE;
            else if (!strcmp(val, "noxfer"))
                status_level = S_NOXFER;
            else if (!strcmp(val, "progress"))
                status_level = S_PROGRESS;
            else
                bad = 1;
        } else {
            util_msg("%s: unknown operand", argv[i]);
            util_usage(usage);
        }
#undef KEY
        if (bad) {
            util_msg("%s: invalid value", argv[i]);
            util_usage(usage);
        }
    }
    if (bs)
        ibs = obs = bs;
    if (ibs > SIZE_MAX / 2 || obs > SIZE_MAX / 2) {
        util_msg("block size too large");
        util_usage(usage);
    }
    static const int open_flags[] = { O_DIRECT, 0, O_SYNC, O_DSYNC };
    int in = STDIN_FILENO, out = STDOUT_FILENO, iof = 0, oof = 0;
    for (int b = 0; b < 4; b++) {
        if (iflag & (1 << b))
            iof |= open_flags[b];
        if (oflag & (1 << b))
            oof |= open_flags[b];
    }
    const char *in_shown = in_name ? in_name : "standard input";
    const char *out_shown = out_name ? out_name : "standard output";
    if (in_name && (in = open(in_name, O_RDONLY | iof)) < 0)
        return util_err(in_name);
    if (!in_name && iof && fcntl(in, F_SETFL, fcntl(in, F_GETFL) | iof) < 0)
        return util_err(in_shown);
    if (out_name) {
        int fl = O_WRONLY | oof | (conv & C_NOCREAT ? 0 : O_CREAT) | (conv & C_EXCL ? O_EXCL : 0);
        if (!seek && !(conv & C_NOTRUNC))
            fl |= O_TRUNC;
        if ((out = open(out_name, fl, 0666)) < 0)
            return util_err(out_name);
    } else if (oof && fcntl(out, F_SETFL, fcntl(out, F_GETFL) | oof) < 0) {
        return util_err(out_shown);
    }
    char *ibuf = aligned((size_t)ibs), *obuf = bs ? ibuf : aligned((size_t)obs);
    if (!ibuf || !obuf)
        return util_err(NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    clock_gettime(CLOCK_MONOTONIC, &st.start);

    int status = UTIL_OK;
    if (skip && lseek(in, (off_t)(skip * ibs), SEEK_CUR) < 0) {
        /* Not seekable: read the blocks to skip. */
        for (unsigned long long k = 0; k < skip; k++) {
            ssize_t r = read_block(in, ibuf, (size_t)ibs, iflag & F_FULLBLOCK);
            if (r <= 0) {
                if (r < 0)
                    status = util_err(in_shown);
                break;
            }
        }
    }
    if (seek) {
        off_t to = (off_t)(seek * obs);
        if (lseek(out, to, SEEK_CUR) >= 0) {
            struct stat sb;
            if (!(conv & C_NOTRUNC) && fstat(out, &sb) == 0 && S_ISREG(sb.st_mode) &&
                ftruncate(out, to) != 0)
                status = util_err(out_shown);
        } else {
            memset(obuf, 0, (size_t)obs);
            for (unsigned long long k = 0; k < seek && status == UTIL_OK; k++)
                if (util_write_all(out, obuf, (size_t)obs) != 0)
                    status = util_err(out_shown);
        }
    }
    size_t opos = 0;
    for (unsigned long long rec = 0; status == UTIL_OK && rec < count; rec++) {
        ssize_t n = read_block(in, ibuf, (size_t)ibs, iflag & F_FULLBLOCK);
        if (n < 0) {
            status = util_err(in_shown);
            if (!(conv & C_NOERROR))
                break;
            status = UTIL_OK;
            /* Step over the bad block; with conv=sync it reads as zeros. */
            if (lseek(in, (off_t)ibs, SEEK_CUR) < 0)
                break;
            st.in_part++;
            if (!(conv & C_SYNC))
                continue;
            memset(ibuf, 0, (size_t)ibs);
            n = (ssize_t)ibs;
        } else if (n == 0) {
            break;
        } else if ((unsigned long long)n == ibs) {
            st.in_full++;
        } else {
            st.in_part++;
        }
        if ((conv & C_SYNC) && (unsigned long long)n < ibs) {
            memset(ibuf + n, 0, (size_t)(ibs - (unsigned long long)n));
            n = (ssize_t)ibs;
        }
        if (bs) {
            status = write_block(out, ibuf, (size_t)n, (size_t)obs, oflag & F_DIRECT, out_shown);
            continue;
        }
        /* Reblocking: collect the input into blocks of obs bytes. */
        for (size_t used = 0; used < (size_t)n && status == UTIL_OK;) {
            size_t take = (size_t)n - used;
            if (take > (size_t)obs - opos)
                take = (size_t)obs - opos;
            memcpy(obuf + opos, ibuf + used, take);
            opos += take;
            used += take;
            if (opos == (size_t)obs) {
                status = write_block(out, obuf, opos, (size_t)obs, oflag & F_DIRECT, out_shown);
                opos = 0;
            }
        }
    }
    if (opos && status == UTIL_OK)
        status = write_block(out, obuf, opos, (size_t)obs, oflag & F_DIRECT, out_shown);
    if ((conv & C_FSYNC) && fsync(out) != 0)
        status = util_err(out_shown);
    else if ((conv & C_FDATASYNC) && !(conv & C_FSYNC) && fdatasync(out) != 0)
        status = util_err(out_shown);
    if (out_name && close(out) != 0)
        status = util_err(out_shown);
    print_stats();
    return status;
}
