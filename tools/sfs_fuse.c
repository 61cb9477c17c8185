/*
 * sfs_fuse.c - sfs-fuse: mount an SFS image on Linux through FUSE.
 *
 *   sfs-fuse IMAGE MOUNTPOINT [-o ro,direct_io,commit=SECS,cache=MIB,allow_other,...] [-f] [-d]
 *
 * This file is the program: options, opening and mounting the image (a
 * corrupt or foreign image is refused here, before anything is mounted), the
 * single-threaded session loop and the clean unmount. The operations are in
 * sfs_fuse_ops.c.
 *
 * Durability: libsfs groups changes into journal transactions and commits
 * them when the journal fills, on fsync and on unmount. The loop adds a
 * commit every `commit` seconds (default 5) when changes are pending, so a
 * killed daemon loses at most about that much; fsync'd data is never lost. The
 * image is locked (flock) while mounted, so two daemons never share it.
 */
#include "sfs_fuse.h"
#include "sfs_image.h"
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PROG "sfs-fuse"

struct options {
    char *image;
    int direct_io;
    int ro;
    unsigned commit;    /* seconds between periodic commits (0: none) */
    unsigned cache;     /* block cache, MiB */
    double timeout;     /* attribute/entry cache, seconds */
    unsigned readahead; /* KiB of kernel readahead (0: the kernel's default) */
};

enum { KEY_RO, KEY_HELP };

#define OPT(t, f, v)                                                                               \
    {                                                                                              \
        t, offsetof(struct options, f), v                                                          \
    }
static const struct fuse_opt option_specs[] = {
    OPT("direct_io", direct_io, 1),
    OPT("commit=%u", commit, 0),
    OPT("cache=%u", cache, 0),
    OPT("timeout=%lf", timeout, 0),
    OPT("readahead=%u", readahead, 0),
    FUSE_OPT_KEY("ro", KEY_RO),
    FUSE_OPT_END,
};

static int option_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)outargs;
    struct options *o = data;
    if (key == KEY_RO) {
        o->ro = 1;
        return 1; /* also a kernel mount option */
    }
    if (key == FUSE_OPT_KEY_NONOPT && !o->image) {
        o->image = strdup(arg);
        return o->image ? 0 : -1;
    }
    return 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: " PROG " IMAGE MOUNTPOINT [-o OPTIONS] [-f] [-d]\n"
            "Mount the SFS image IMAGE on MOUNTPOINT. Unmount with fusermount3 -u MOUNTPOINT.\n"
            "\n"
            "  -f               stay in the foreground\n"
            "  -d               debug: print every request (implies -f)\n"
            "  -o ro            read-only: nothing is written to IMAGE\n"
            "  -o direct_io     bypass the kernel's page cache for file data\n"
            "  -o commit=SECS   commit the journal every SECS seconds while changes\n"
            "                   are pending (default 5; 0: only on fsync and unmount)\n"
            "  -o cache=MIB     block cache size (default 64)\n"
            "  -o timeout=SECS  kernel cache time of names and attributes (default 3600)\n"
            "  -o readahead=KIB kernel readahead for the mount (default 1024; 0: the\n"
            "                   kernel's 128); needs write access to /sys/class/bdi\n"
            "  -o allow_other   let other users in (see fuse(8)); any other FUSE mount\n"
            "                   option is passed on. default_permissions is always on.\n");
}

/* "-ofsname=PATH" with the commas of PATH escaped for libfuse's option parser. */
static char *fsname_option(const char *image)
{
    size_t n = strlen(image);
    char *s = malloc(2 * n + 16);
    if (!s)
        return NULL;
    char *p = s + sprintf(s, "-ofsname=");
    for (const char *c = image; *c; c++) {
        if (*c == ',' || *c == '\\')
            *p++ = '\\';
        *p++ = *c;
    }
    *p = '\0';
    return s;
}

/*
 * The device flush libsfs orders its journal with: fdatasync(), which makes
 * the written blocks durable with whatever metadata reading them back needs
 * (a sparse image's new blocks, its size), without the image file's times.
 */
static int flush_data(void *ctx)
{
    struct sfs_image *img = ctx;
    return fdatasync(img->fd) < 0 ? -errno : 0;
}

/* Timestamps with nanoseconds, as Linux file systems give them. */
static uint64_t clock_ns(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Open, lock and mount the image. Prints why on failure and returns non-zero. */
static int open_volume(struct sfs_fuse *sf, struct sfs_image *img, const struct options *o)
{
    if (sfs_image_check_unmounted(PROG, o->image))
        return 1;
    int r = sfs_image_open(img, o->image);
    if (r < 0) {
        fprintf(stderr, PROG ": %s: %s\n", o->image, strerror(-r));
        return 1;
    }
    if (flock(img->fd, LOCK_EX | LOCK_NB) < 0) {
        fprintf(stderr, PROG ": %s: %s\n", o->image,
                errno == EWOULDBLOCK ? "in use by another program (locked)" : strerror(errno));
        sfs_image_close(img);
        return 1;
    }
    /* The cache size in blocks: libsfs reads the block size at mount, so
     * assume 4 KiB blocks (the default); other sizes scale the memory. */
    img->cfg.cache_blocks = o->cache * 256u;
    if (img->cfg.cache_blocks < SFS_MIN_CACHE_BLOCKS)
        img->cfg.cache_blocks = SFS_MIN_CACHE_BLOCKS;
    img->cfg.mount_flags = o->ro ? SFS_MOUNT_RDONLY : 0;
    img->cfg.clock_ns = clock_ns;
    img->dev.flush = flush_data;
    r = sfs_mount(&sf->fs, &img->dev, &img->cfg);
    if (r < 0) {
        const char *why = r == SFS_EMEDIUMTYPE ? "not an SFS image (bad magic)"
                          : r == SFS_ECORRUPT  ? "corrupt file system; run fsck.sfs"
                          : r == SFS_ENOTSUP   ? "made by a newer SFS (unknown format or feature)"
                                               : sfs_strerror(r);
        fprintf(stderr, PROG ": %s: cannot mount: %s\n", o->image, why);
        sfs_image_close(img);
        return 1;
    }
    if (sf->fs.was_dirty && !o->ro)
        fprintf(stderr, PROG ": %s: was not cleanly unmounted; journal recovered\n", o->image);
    return 0;
}

/*
 * Set the kernel's readahead for the new mount on @dir (a canonical path) to
 * @kib: Linux caps FUSE reads at the readahead window, 128 KiB by default, and
 * a larger one means fewer, larger read requests. The mount's device comes
 * from /proc/self/mountinfo (a stat of @dir would wait for this very daemon).
 * Best effort: without the rights, the kernel's default stays.
 */
static void set_readahead(const char *dir, unsigned kib)
{
    char want[4096], *w = want;
    for (const char *c = dir; *c && w < want + sizeof(want) - 5; c++) {
        if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\\')
            w += sprintf(w, "\\%03o", (unsigned char)*c);
        else
            *w++ = *c;
    }
    *w = '\0';
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return;
    char line[8192], dev[64] = "";
    while (fgets(line, sizeof(line), f)) {
        char d[64], point[4096];
        if (sscanf(line, "%*s %*s %63s %*s %4095s", d, point) == 2 && !strcmp(point, want))
            snprintf(dev, sizeof(dev), "%s", d); /* the last one is the newest */
    }
    fclose(f);
    if (!dev[0])
        return;
    char path[128];
    snprintf(path, sizeof(path), "/sys/class/bdi/%s/read_ahead_kb", dev);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%u\n", kib);
        fclose(f);
    }
}

static volatile sig_atomic_t commit_due;

static void on_alarm(int sig)
{
    (void)sig;
    commit_due = 1;
}

/* Commit pending changes; an error is reported once and then by the calls. */
static void commit(struct sfs_fuse *sf)
{
    if (!sf->dirty || sf->rdonly)
        return;
    int r = sfs_sync(&sf->fs);
    sf->dirty = 0;
    if (r < 0 && !sf->io_error) {
        fprintf(stderr, PROG ": commit failed: %s\n", sfs_strerror(r));
        sf->io_error = 1;
    }
}

/*
 * The session loop: libfuse's single-threaded loop, plus an interval timer.
 * Every @period seconds SIGALRM (installed without SA_RESTART) interrupts a
 * waiting read of /dev/fuse, or marks the commit due after the request being
 * served; pending changes are then committed. No system call is added to a
 * request's path. After the first request (INIT) the readahead window of the
 * mount on @dir becomes @readahead KiB (0: left alone). Returns 0, or -errno
 * if reading /dev/fuse failed.
 */
static int session_loop(struct fuse_session *se, struct sfs_fuse *sf, unsigned period,
                        const char *dir, unsigned readahead)
{
    struct fuse_buf buf = { 0 };
    struct itimerval it = { { (time_t)period, 0 }, { (time_t)period, 0 } };
    if (period) {
        struct sigaction sa = { .sa_handler = on_alarm };
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &it, NULL) < 0)
            fprintf(stderr, PROG ": no periodic commits: %s\n", strerror(errno));
    }
    int err = 0;
    while (!fuse_session_exited(se)) {
        int r = fuse_session_receive_buf(se, &buf);
        if (r > 0) {
            fuse_session_process_buf(se, &buf);
            /* The first request is INIT, whose reply sets the readahead
             * window to at most the kernel's offer: enlarge it after. */
            if (readahead) {
                set_readahead(dir, readahead);
                readahead = 0;
            }
        } else if (r != -EINTR && r != -EAGAIN) {
            err = r; /* 0: unmounted */
            break;
        }
        if (commit_due) {
            commit_due = 0;
            commit(sf);
        }
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    free(buf.mem);
    return err;
}

int main(int argc, char **argv)
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct options o = { .commit = 5, .cache = 64, .timeout = 3600, .readahead = 1024 };
    struct fuse_cmdline_opts cmd = { 0 };
    int status = 1, err;
    if (fuse_opt_parse(&args, &o, option_specs, option_proc) < 0 ||
        fuse_parse_cmdline(&args, &cmd) < 0) {
        usage(stderr);
        goto out_args;
    }
    if (cmd.show_help) {
        usage(stdout);
        status = 0;
        goto out_args;
    }
    if (cmd.show_version) {
        printf(PROG " (libsfs %s, libfuse %s)\n", SFS_VERSION_STRING, fuse_pkgversion());
        status = 0;
        goto out_args;
    }
    if (!o.image || !cmd.mountpoint) {
        usage(stderr);
        goto out_args;
    }

    static struct sfs_fuse sf;
    static struct sfs_image img;
    sf.direct_io = o.direct_io;
    sf.rdonly = o.ro;
    sf.timeout = o.timeout;
    if (sfs_fuse_nodes_init(&sf) < 0) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out_args;
    }
    if (open_volume(&sf, &img, &o))
        goto out_nodes;

    /* The absolute path as the mount's source: mkfs.sfs, fsck.sfs and a
     * second sfs-fuse find the image mounted by it in /proc/mounts. */
    char *abs = realpath(o.image, NULL);
    char *fsname = fsname_option(abs ? abs : o.image);
    free(abs);
    if (!fsname || fuse_opt_add_arg(&args, "-odefault_permissions") < 0 ||
        fuse_opt_add_arg(&args, "-osubtype=sfs") < 0 || fuse_opt_add_arg(&args, fsname) < 0) {
        free(fsname);
        fprintf(stderr, PROG ": out of memory\n");
        goto out_volume;
    }
    free(fsname);

    struct fuse_session *se = fuse_session_new(&args, &sfs_fuse_ops, sizeof(sfs_fuse_ops), &sf);
    if (!se)
        goto out_volume; /* libfuse said why (an unknown option, ...) */
    if (fuse_set_signal_handlers(se) < 0)
        goto out_session;
    if (fuse_session_mount(se, cmd.mountpoint) < 0)
        goto out_signals;
    fuse_daemonize(cmd.foreground);
    err = session_loop(se, &sf, o.commit, cmd.mountpoint, o.readahead);
    if (err < 0)
        fprintf(stderr, PROG ": reading /dev/fuse: %s\n", strerror(-err));
    fuse_session_unmount(se);
    status = err < 0 ? 1 : 0;
out_signals:
    fuse_remove_signal_handlers(se);
out_session:
    fuse_session_destroy(se);
out_volume:
    if (cmd.debug)
        fprintf(stderr, PROG ": %llu commits, %llu block reads, %llu block writes\n",
                (unsigned long long)sf.fs.stat_commits, (unsigned long long)sf.fs.stat_reads,
                (unsigned long long)sf.fs.stat_writes);
    err = sfs_unmount(&sf.fs);
    if (err < 0) {
        fprintf(stderr, PROG ": %s: unmount: %s\n", o.image, sfs_strerror(err));
        status = 1;
    }
    sfs_image_close(&img);
out_nodes:
    sfs_fuse_nodes_free(&sf);
out_args:
    free(o.image);
    free(cmd.mountpoint);
    fuse_opt_free_args(&args);
    return status;
}
