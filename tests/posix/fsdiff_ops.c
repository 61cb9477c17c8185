/*
 * fsdiff_ops.c - the back-end independent half of the differential test:
 * a seeded generator of file-system calls, the comparator, and the driver
 * that runs each call on two back ends and then compares the whole trees.
 *
 * The generator works on a small name space ("a".."e" up to three levels,
 * with ".", "..", doubled and trailing slashes, empty and over-long names and
 * paths, and paths of exactly PATH_MAX - 1 bytes), so calls collide often and
 * reach error paths: every errno is compared.
 *
 * Intended differences (docs/porting-libsfs.md, "Differential test"; through
 * FUSE, docs/fuse.md, "Differential test against tmpfs"):
 *   - a directory's st_size and every st_blocks are file-system specific and
 *     not compared;
 *   - a time set to "now" is compared within fsd_slack_ns (2 s; --slack;
 *     between two host directories plus the longest time one call took on
 *     both: they run it microseconds apart, unless the machine stalls);
 *     times set explicitly must be equal
 *     to the nanosecond, and the generator sets them often so that a missed
 *     update shows as a difference of years;
 *   - a symbolic link's atime is not compared: Linux touches it when a walk
 *     follows the link, libsfs never writes on a read;
 *   - calls as another user and renameat2()'s flags (fsd_host_pair) only
 *     between two host directories, as root: libsfs leaves permission
 *     checks to its caller and has no path-level renameat2();
 *   - generated times stay inside SFS's range (years 1697..2242; Linux's
 *     tmpfs takes any 64-bit second).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fsdiff.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#define MAX_REPORTS 20

int64_t fsd_slack_ns = 2000000000ll; /* "now" on two back ends: within 2 s */
int fsd_check_each;
int fsd_host_pair;

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64: small, seedable, identical everywhere */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

static const char *const kind_names[FSD_NKINDS] = {
    "mkdir",    "rmdir", "unlink", "rename",  "link", "symlink", "mknod",    "write",   "read",
    "truncate", "chmod", "chown",  "utimens", "stat", "lstat",   "readlink", "readdir",
};

/* Append one component to @p (of @cap bytes). */
static void add(char *p, size_t cap, const char *s)
{
    size_t l = strlen(p);
    snprintf(p + l, cap - l, "%s", s);
}

static void gen_component(char *p, size_t cap)
{
    static const char *const names[] = { "a", "b", "c", "d", "e", "a", "b", "c", ".", ".." };
    uint32_t k = below(100);
    if (k < 2) {
        char longname[300];
        size_t n = 255 + below(2); /* NAME_MAX and one past it */
        memset(longname, k ? 'n' : 'm', n);
        longname[n] = 0;
        add(p, cap, longname);
        return;
    }
    add(p, cap, names[below(k < 10 ? 10 : 8)]);
}

/* A path inside the back end's root. */
static void gen_path(char *p, size_t cap)
{
    p[0] = 0;
    uint32_t k = below(200);
    if (k == 0)
        return; /* "" : ENOENT */
    if (k < 3) {
        /* "/././.../x": exactly PATH_MAX - 1 bytes (fine) or PATH_MAX (too long) */
        size_t want = k == 1 ? 4095 : 4096;
        while (strlen(p) + 2 + 2 <= want)
            add(p, cap, "/.");
        while (strlen(p) + 2 < want)
            add(p, cap, "/");
        add(p, cap, below(2) ? "/a" : "/b");
        return;
    }
    if (k < 6) {
        add(p, cap, "/");
        return;
    }
    uint32_t depth = 1 + below(3);
    for (uint32_t i = 0; i < depth; i++) {
        add(p, cap, below(12) ? "/" : "//");
        gen_component(p, cap);
    }
    if (below(12) == 0)
        add(p, cap, "/");
}

/* A symbolic-link target: relative or absolute, sometimes with a trailing
 * slash, sometimes PATH_MAX - 1 bytes long. */
static void gen_target(char *p, size_t cap)
{
    uint32_t k = below(40);
    if (k == 0) {
        p[0] = 0;
        while (strlen(p) + 2 + 1 <= 4095 - 2)
            add(p, cap, "./");
        add(p, cap, below(2) ? "a" : "b/");
        return;
    }
    gen_path(p, cap);
    if (p[0] == 0) {
        add(p, cap, "a");
        return;
    }
    if (below(2) && p[0] == '/' && p[1])
        memmove(p, p + 1, strlen(p)); /* relative */
    if (below(10) == 0)
        add(p, cap, "/");
}

static uint32_t gen_mode(void)
{
    static const uint32_t modes[] = { 0644, 0755, 0600, 0777, 0, 04755, 02775, 01777, 07777, 0640 };
    return modes[below(sizeof(modes) / sizeof(modes[0]))];
}

static void gen_time(int64_t *sec, uint32_t *nsec)
{
    uint32_t k = below(10);
    *sec = (int64_t)below(2000000000u) + (k == 0 ? -1000000000ll : 0);
    *nsec = below(1000000000u);
    if (k == 1)
        *nsec = FSD_NOW;
    else if (k == 2)
        *nsec = FSD_OMIT;
    else if (k == 3 && below(10) == 0)
        *nsec = 1000000000u; /* invalid: EINVAL */
}

static void gen_op(struct fsd_op *op)
{
    /* Weights: creation first so the tree fills, every call reached. */
    static const uint8_t weights[FSD_NKINDS] = {
        10, 4, 5, 8, 4, 5, 3, 12, 5, 3, 3, 3, 4, 6, 3, 3, 3
    };
    uint32_t total = 0, k;
    for (k = 0; k < FSD_NKINDS; k++)
        total += weights[k];
    uint32_t pick = below(total);
    for (k = 0; pick >= weights[k]; k++)
        pick -= weights[k];
    memset(op, 0, offsetof(struct fsd_op, data));
    op->kind = (int)k;
    gen_path(op->a, sizeof(op->a));
    switch (op->kind) {
    case FSD_MKDIR:
    case FSD_CHMOD:
        op->mode = gen_mode();
        break;
    case FSD_RENAME:
        if (fsd_host_pair) {
            uint32_t f = below(16); /* RENAME_NOREPLACE 1, RENAME_EXCHANGE 2, both: EINVAL */
            op->flags = f < 4 ? 1 : f < 8 ? 2 : f == 8 ? 3 : 0;
        }
        gen_path(op->b, sizeof(op->b));
        break;
    case FSD_LINK:
        gen_path(op->b, sizeof(op->b));
        break;
    case FSD_SYMLINK:
        gen_target(op->a, sizeof(op->a));
        gen_path(op->b, sizeof(op->b));
        break;
    case FSD_MKNOD: {
        static const uint32_t types[] = { S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFREG,
                                          0,       S_IFIFO, S_IFCHR, S_IFDIR,  S_IFLNK };
        op->mode = types[below(10)] | gen_mode();
        /* majors 250..253: "local/experimental use", never a real driver */
        op->rdev = makedev(250 + below(4), below(300));
        break;
    }
    case FSD_WRITE: {
        static const int acc[] = { 0, FSD_O_WRONLY, FSD_O_RDWR, FSD_O_WRONLY, FSD_O_RDWR };
        op->flags = acc[below(5)];
        if (below(3))
            op->flags |= FSD_O_CREAT;
        if (below(6) == 0)
            op->flags |= FSD_O_EXCL;
        if (below(5) == 0)
            op->flags |= FSD_O_TRUNC;
        if (below(6) == 0)
            op->flags |= FSD_O_APPEND;
        op->mode = gen_mode();
        /* Often nothing at all: open()'s own effects (O_TRUNC's times) show. */
        op->len = below(5) == 0 ? 0 : below(4) ? below(FSD_DATA) : below(8);
        op->off = below(4) ? below(3000) : below(300000);
        for (uint32_t i = 0; i < op->len; i++)
            op->data[i] = (uint8_t)rnd();
        break;
    }
    case FSD_TRUNCATE:
        op->size = below(4) == 0 ? 0 : below(3) ? below(5000) : below(1u << 20);
        op->flags = below(3) == 0; /* ftruncate(): times change even at the same size */
        break;
    case FSD_CHOWN: {
        static const uint32_t ids[] = { 0, 1000, 65534, UINT32_MAX };
        op->uid = ids[below(4)];
        op->gid = ids[below(4)];
        op->nofollow = (int)below(2);
        break;
    }
    case FSD_UTIMENS:
        gen_time(&op->atime, &op->atime_nsec);
        gen_time(&op->mtime, &op->mtime_nsec);
        op->nofollow = (int)below(3) == 0;
        break;
    default:
        break;
    }
    if (fsd_host_pair && below(3) == 0) {
        /* Drawn only in this mode: libsfs's sequences stay as they were. */
        static const uint32_t ids[] = { 1000, 65534 };
        op->as_uid = ids[below(2)];
        op->as_gid = below(3) ? op->as_uid : ids[below(2)];
    }
}

static void print_path(const char *label, const char *p)
{
    size_t l = strlen(p);
    if (l > 100)
        printf(" %s=\"%.40s...%s\"(%zu bytes)", label, p, p + l - 40, l);
    else
        printf(" %s=\"%s\"", label, p);
}

void fsd_print_op(const struct fsd_op *op)
{
    printf("%s", op->kind >= 0 && op->kind < FSD_NKINDS ? kind_names[op->kind] : "?");
    print_path("a", op->a);
    if (op->b[0])
        print_path("b", op->b);
    printf(" mode=0%o flags=0%o uid=%" PRIu32 " gid=%" PRIu32 " size=%" PRIu64 " off=%" PRIu64
           " len=%" PRIu32 " rdev=0x%" PRIx64 " nofollow=%d t=%" PRId64 ".%" PRIu32 "/%" PRId64
           ".%" PRIu32 "\n",
           op->mode, op->flags, op->uid, op->gid, op->size, op->off, op->len, op->rdev,
           op->nofollow, op->atime, op->atime_nsec, op->mtime, op->mtime_nsec);
    if (op->as_uid || op->as_gid)
        printf("  (as uid %" PRIu32 " gid %" PRIu32 ")\n", op->as_uid, op->as_gid);
}

/* The allowance for "now": --slack, plus, between two host directories
 * (where the default is smaller), the longest time one call took on both
 * back ends so far: a stall between the two runs of a call, on a loaded
 * machine, moves "now" by that much. */
static int64_t slack_ns;

static int64_t clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000ll + t.tv_nsec;
}

static int64_t ns_diff(int64_t s1, uint32_t n1, int64_t s2, uint32_t n2)
{
    int64_t d = (s1 - s2) * 1000000000ll + ((int64_t)n1 - (int64_t)n2);
    return d < 0 ? -d : d;
}

/* Explain the first difference between two stats in @why; false if none. */
static bool stat_differs(const struct fsd_stat *x, const struct fsd_stat *y, char *why, size_t cap)
{
    uint32_t type = x->mode & S_IFMT;
    if (x->mode != y->mode)
        return snprintf(why, cap, "mode 0%o vs 0%o", x->mode, y->mode), true;
    if (x->nlink != y->nlink)
        return snprintf(why, cap, "nlink %u vs %u", x->nlink, y->nlink), true;
    if (x->uid != y->uid || x->gid != y->gid)
        return snprintf(why, cap, "owner %u:%u vs %u:%u", x->uid, x->gid, y->uid, y->gid), true;
    if (type != S_IFDIR && x->size != y->size)
        return snprintf(why, cap, "size %" PRIu64 " vs %" PRIu64, x->size, y->size), true;
    if ((type == S_IFCHR || type == S_IFBLK) && x->rdev != y->rdev)
        return snprintf(why, cap, "rdev 0x%" PRIx64 " vs 0x%" PRIx64, x->rdev, y->rdev), true;
    if (type != S_IFLNK && ns_diff(x->atime, x->atime_nsec, y->atime, y->atime_nsec) > slack_ns)
        return snprintf(why, cap, "atime %" PRId64 ".%09u vs %" PRId64 ".%09u", x->atime,
                        x->atime_nsec, y->atime, y->atime_nsec),
               true;
    if (ns_diff(x->mtime, x->mtime_nsec, y->mtime, y->mtime_nsec) > slack_ns)
        return snprintf(why, cap, "mtime %" PRId64 ".%09u vs %" PRId64 ".%09u", x->mtime,
                        x->mtime_nsec, y->mtime, y->mtime_nsec),
               true;
    if (ns_diff(x->ctime, x->ctime_nsec, y->ctime, y->ctime_nsec) > slack_ns)
        return snprintf(why, cap, "ctime %" PRId64 ".%09u vs %" PRId64 ".%09u", x->ctime,
                        x->ctime_nsec, y->ctime, y->ctime_nsec),
               true;
    return false;
}

static bool result_differs(const struct fsd_result *x, const struct fsd_result *y, char *why,
                           size_t cap)
{
    if (x->ret != y->ret) {
        char ex[64], ey[64]; /* strerror() may reuse its buffer */
        snprintf(ex, sizeof(ex), "%s", strerror(-x->ret));
        snprintf(ey, sizeof(ey), "%s", strerror(-y->ret));
        snprintf(why, cap, "result %d (%s) vs %d (%s)", x->ret, ex, y->ret, ey);
        return true;
    }
    if (x->ret2 != y->ret2)
        return snprintf(why, cap, "second result %d vs %d", x->ret2, y->ret2), true;
    if (x->len != y->len || memcmp(x->out, y->out, x->len))
        return snprintf(why, cap, "output differs (%u vs %u bytes): \"%.60s\" vs \"%.60s\"", x->len,
                        y->len, x->out, y->out),
               true;
    if (x->has_stat != y->has_stat)
        return snprintf(why, cap, "stat present %d vs %d", x->has_stat, y->has_stat), true;
    return x->has_stat && stat_differs(&x->st, &y->st, why, cap);
}

static struct fsd_result rx, ry;

/* Run @op on both; report a difference. */
static bool run_both(struct fsd_backend *x, struct fsd_backend *y, const struct fsd_op *op,
                     long index, long *diffs)
{
    memset(&rx, 0, offsetof(struct fsd_result, out));
    memset(&ry, 0, offsetof(struct fsd_result, out));
    int64_t t0 = clock_ns();
    x->run(x->ctx, op, &rx);
    y->run(y->ctx, op, &ry);
    int64_t took = clock_ns() - t0;
    if (fsd_host_pair && slack_ns < fsd_slack_ns + took)
        slack_ns = fsd_slack_ns + took;
    char why[512];
    if (!result_differs(&rx, &ry, why, sizeof(why)))
        return true;
    if (++*diffs <= MAX_REPORTS) {
        printf("fsdiff: call %ld differs (%s vs %s): %s\n  ", index, x->name, y->name, why);
        fsd_print_op(op);
    }
    return false;
}

/* Compare the trees under @path on both back ends (depth first, bounded). */
static void compare_tree(struct fsd_backend *x, struct fsd_backend *y, const char *path, int depth,
                         long *diffs)
{
    static struct fsd_op op;
    memset(&op, 0, offsetof(struct fsd_op, data));
    op.kind = FSD_LSTAT;
    snprintf(op.a, sizeof(op.a), "%s", path);
    if (!run_both(x, y, &op, -1, diffs) || rx.ret < 0)
        return;
    uint32_t type = rx.st.mode & S_IFMT;
    op.kind = type == S_IFDIR   ? FSD_READDIR
              : type == S_IFLNK ? FSD_READLINK
              : type == S_IFREG ? FSD_READ
                                : FSD_LSTAT;
    if (!run_both(x, y, &op, -1, diffs) || type != S_IFDIR || depth > 8)
        return;
    /* rx.out: sorted "name type" lines, identical on both sides. */
    static char listing[FSD_OUT + 1];
    memcpy(listing, rx.out, rx.len);
    listing[rx.len] = 0;
    char *save = NULL;
    char *copy = strdup(listing);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strrchr(line, ' ');
        if (sp)
            *sp = 0;
        char child[FSD_PATH];
        snprintf(child, sizeof(child), "%s%s%s", path, strcmp(path, "/") ? "/" : "", line);
        compare_tree(x, y, child, depth + 1, diffs);
    }
    free(copy);
}

long fsd_run(struct fsd_backend *x, struct fsd_backend *y, uint64_t seed, long nops, int verbose)
{
    static struct fsd_op op;
    long diffs = 0;
    rng_state = seed * 0x2545F4914F6CDD1Dull + 1;
    slack_ns = fsd_slack_ns;
    /* The two roots were made at different moments: give them the same times. */
    memset(&op, 0, offsetof(struct fsd_op, data));
    op.kind = FSD_UTIMENS;
    strcpy(op.a, "/");
    op.atime = op.mtime = 1000000000;
    run_both(x, y, &op, -1, &diffs);
    for (long i = 0; i < nops && diffs < MAX_REPORTS; i++) {
        gen_op(&op);
        if (verbose > 1) {
            printf("%ld: ", i);
            fsd_print_op(&op);
        }
        run_both(x, y, &op, i, &diffs);
        if (fsd_check_each && diffs == 0) {
            compare_tree(x, y, "/", 0, &diffs);
            if (diffs)
                printf("fsdiff: the trees differ after call %ld\n", i);
        }
    }
    compare_tree(x, y, "/", 0, &diffs);
    return diffs;
}
