/*
 * sys_fs.c - system calls about file systems and the system as a whole
 * (syscall.c has the table): mount, umount2, sync, syncfs, statfs, fstatfs,
 * sysinfo, syslog, getrusage and times, with Linux x86-64's numbers, structure
 * layouts and errors.
 *
 * mount(2) knows these types: "sfs" from a block device path (/dev/vda),
 * "ramfs" (also as "tmpfs"), "devfs" (also "devtmpfs") and "proc". MS_RDONLY
 * makes the VFS refuse every change with -EROFS; MS_NOSUID, MS_NODEV and
 * MS_NOEXEC are recorded and shown in /proc/mounts; MS_REMOUNT changes them.
 * Bind and move mounts, propagation flags and lazy unmounts are -EINVAL.
 */
#include "sys_priv.h"

#include <arch/timer.h>
#include <k/errno.h>
#include <k/klog.h>
#include <mm/heap.h>
#include <proc/procfs.h>
#include <sched/thread.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/synthfs.h>

/* ---- mount, umount2 ---- */

#define MS_RDONLY   0x1
#define MS_NOSUID   0x2
#define MS_NODEV    0x4
#define MS_NOEXEC   0x8
#define MS_REMOUNT  0x20
#define MS_MGC_MASK 0xffff0000u
#define MS_MGC_VAL  0xc0ed0000u
/* Accepted and without effect here: SYNCHRONOUS, MANDLOCK, DIRSYNC,
 * NOATIME, NODIRATIME, SILENT, RELATIME, STRICTATIME, LAZYTIME. */
#define MS_IGNORED                                                                                 \
    (0x10 | 0x40 | 0x80 | 0x400 | 0x800 | 0x8000 | (1u << 21) | (1u << 24) | (1u << 25))
#define FSTYPE_MAX      32
#define MNT_FORCE       0x1
#define MNT_DETACH      0x2
#define MNT_EXPIRE      0x4
#define UMOUNT_NOFOLLOW 0x8

_Static_assert(MS_RDONLY == VFS_MNT_RDONLY && MS_NOSUID == VFS_MNT_NOSUID &&
                   MS_NODEV == VFS_MNT_NODEV && MS_NOEXEC == VFS_MNT_NOEXEC,
               "mount flags pass straight to the VFS");

/* The registered type a name given to mount(2) stands for, or NULL. */
static const char *fs_type_name(const char *name)
{
    static const char *const alias[][2] = {
        { "sfs", "sfs" },     { "ramfs", "ramfs" },    { "tmpfs", "ramfs" },
        { "devfs", "devfs" }, { "devtmpfs", "devfs" }, { "proc", "proc" },
    };
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strcmp(alias[i][0], name) == 0)
            return alias[i][1];
    return NULL;
}

/* Copy an optional user string (NULL pointer: ""). */
static int user_string(struct proc *p, uint64_t u, char *out, size_t max)
{
    out[0] = '\0';
    if (!u)
        return 0;
    long n = uvm_strncpy_in(&p->vm, out, u, max);
    return n < 0 ? (int)n : 0;
}

int64_t proc_sys_mount(struct proc *p, uint64_t usource, uint64_t utarget, uint64_t utype,
                       uint64_t flags, uint64_t udata, uint64_t a5)
{
    (void)udata; /* no file system here takes options */
    if ((flags & MS_MGC_MASK) == MS_MGC_VAL)
        flags &= ~(uint64_t)MS_MGC_MASK;
    uint32_t mflags = (uint32_t)flags & VFS_MNT_FLAGS;
    if (flags & ~(uint64_t)(VFS_MNT_FLAGS | MS_REMOUNT | MS_IGNORED))
        return -EINVAL; /* bind, move, propagation: not supported */
    char *target = kmalloc(VFS_PATH_MAX), *source = kmalloc(VFS_PATH_MAX);
    char fstype[FSTYPE_MAX];
    int64_t r = target && source ? 0 : -ENOMEM;
    if (!r)
        r = proc_user_path(p, utarget, target);
    if (!r)
        r = user_string(p, usource, source, VFS_PATH_MAX);
    if (!r && !(flags & MS_REMOUNT)) {
        r = user_string(p, utype, fstype, sizeof(fstype));
        if (r == -ENAMETOOLONG)
            r = -ENODEV; /* longer than any type's name */
    }
    if (r)
        goto out;
    if (flags & MS_REMOUNT) {
        r = vfs_remount(&p->files, target, mflags);
        goto out;
    }
    const char *type = fs_type_name(fstype);
    if (!type) {
        r = -ENODEV;
        goto out;
    }
    void *dev = NULL;
    if (strcmp(type, "sfs") == 0) {
        struct block_device *bd = NULL;
        r = source[0] ? devfs_resolve_block(&p->files, source, &bd) : -ENOTBLK;
        dev = bd;
    }
    if (!r) {
        struct vfs_mount_options o = { .source_name = source[0] ? source : fstype,
                                       .flags = mflags };
        r = vfs_mount_opts(&p->files, target, type, dev, &o);
    }
out:
    kfree(target);
    kfree(source);
    return r;
}

int64_t proc_sys_umount2(struct proc *p, uint64_t utarget, uint64_t flags, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    /* MNT_FORCE is a plain unmount (no file system here can abort its
     * users); lazy and expiring unmounts do not exist. */
    if (flags & ~(uint64_t)(MNT_FORCE | UMOUNT_NOFOLLOW) || (flags & (MNT_DETACH | MNT_EXPIRE)))
        return -EINVAL;
    PATHBUF(target);
    int64_t r = proc_user_path(p, utarget, target);
    struct vfs_stat st;
    if (!r && (flags & UMOUNT_NOFOLLOW) && vfs_lstat(&p->files, target, &st) == 0 &&
        st.type == VFS_TYPE_SYMLINK)
        r = -EINVAL; /* a symlink is never a mount point */
    if (!r)
        r = vfs_umount(&p->files, target);
    kfree(target);
    return r;
}

/* ---- sync, syncfs ---- */

int64_t proc_sys_sync(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    (void)p;
    vfs_sync(); /* sync(2) cannot fail */
    return 0;
}

int64_t proc_sys_syncfs(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return vfs_syncfs(&p->files, (int)fd);
}

/* ---- statfs, fstatfs ---- */

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "Linux x86-64's struct statfs");

#define ST_VALID 0x20 /* f_flags is filled in */

static int put_statfs(struct proc *p, uint64_t ubuf, const struct vfs_statfs *st)
{
    struct linux_statfs l;
    memset(&l, 0, sizeof(l));
    l.f_type = st->magic;
    l.f_bsize = st->block_size ? st->block_size : 4096;
    l.f_blocks = st->blocks;
    l.f_bfree = st->blocks_free;
    l.f_bavail = st->blocks_free; /* nothing is reserved for root */
    l.f_files = st->files;
    l.f_ffree = st->files_free;
    l.f_fsid[0] = (int32_t)st->mount_id;
    l.f_namelen = st->name_max;
    l.f_frsize = l.f_bsize;
    l.f_flags = st->flags | ST_VALID; /* ST_RDONLY.. share MS_*'s bits */
    return uvm_copy_out(&p->vm, ubuf, &l, sizeof(l));
}

int64_t proc_sys_statfs(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    PATHBUF(path);
    struct vfs_statfs st;
    int64_t r = proc_user_path(p, upath, path);
    if (!r)
        r = vfs_statfs(&p->files, path, &st);
    if (!r)
        r = put_statfs(p, ubuf, &st);
    kfree(path);
    return r;
}

int64_t proc_sys_fstatfs(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    struct vfs_statfs st;
    int r = vfs_fstatfs(&p->files, (int)fd, &st);
    return r ? r : put_statfs(p, ubuf, &st);
}

/* ---- sysinfo ---- */

struct linux_sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char reserved[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "Linux x86-64's struct sysinfo");

#define SI_LOAD_SHIFT 16

int64_t proc_sys_sysinfo(struct proc *p, uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    struct linux_sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (int64_t)(proc_cfg.now_ns() / 1000000000u);
    uint64_t avg[3];
    procfs_loadavg(avg);
    for (int i = 0; i < 3; i++)
        si.loads[i] = avg[i] << (SI_LOAD_SHIFT - PROCFS_FSHIFT);
    struct procfs_meminfo m;
    procfs_meminfo(&m);
    si.totalram = m.total;
    si.freeram = m.free;
    si.sharedram = m.shmem;
    si.bufferram = m.buffers;
    si.procs = (uint16_t)proc_count();
    si.mem_unit = 1;
    return uvm_copy_out(&p->vm, ubuf, &si, sizeof(si));
}

/* ---- syslog ---- */

enum {
    SYSLOG_CLOSE,
    SYSLOG_OPEN,
    SYSLOG_READ,
    SYSLOG_READ_ALL,
    SYSLOG_READ_CLEAR,
    SYSLOG_CLEAR,
    SYSLOG_CONSOLE_OFF,
    SYSLOG_CONSOLE_ON,
    SYSLOG_CONSOLE_LEVEL,
    SYSLOG_SIZE_UNREAD,
    SYSLOG_SIZE_BUFFER,
};

/* Longest formatted record: "<7>[" 20 digits "." 6 "] " subsystem ": " text "\n". */
#define RECORD_TEXT_MAX (4 + 20 + 1 + 6 + 2 + KLOG_SUBSYS_MAX + 2 + KLOG_TEXT_MAX + 1)
#define SYSLOG_BUF_SIZE (KLOG_RECORDS * RECORD_TEXT_MAX)

/* syslog(2)'s state, changed by the calls below under the big kernel lock. */
static uint64_t clear_seq;     /* records before it were cleared (actions 4 and 5) */
static int saved_console = -1; /* the level before CONSOLE_OFF */

struct log_text {
    struct synthfs_buf b;
    uint64_t from_seq;
    uint64_t last_seq;
};

static void log_one(void *arg, const struct klog_record *r)
{
    struct log_text *t = arg;
    if (r->seq < t->from_seq)
        return;
    procfs_fmt_klog(&t->b, r);
    t->last_seq = r->seq + 1;
}

/* Every record since the last clear, formatted. */
static int log_format(struct log_text *t)
{
    *t = (struct log_text){ .from_seq = clear_seq, .last_seq = clear_seq };
    klog_read(KLOG_DEBUG, log_one, t);
    return t->b.err;
}

static int64_t syslog_read_all(struct proc *p, uint64_t ubuf, int64_t len, bool clear)
{
    if (len < 0 || (!ubuf && len))
        return -EINVAL;
    struct log_text t;
    int64_t r = log_format(&t);
    if (!r) {
        /* The newest whole records that fit, as Linux gives them. */
        size_t start = 0;
        while (t.b.len - start > (uint64_t)len) {
            const char *nl = memchr(t.b.data + start, '\n', t.b.len - start);
            start = nl ? (size_t)(nl - t.b.data) + 1 : t.b.len;
        }
        size_t n = t.b.len - start;
        r = n ? uvm_copy_out(&p->vm, ubuf, t.b.data + start, n) : 0;
        if (!r) {
            r = (int64_t)n;
            if (clear)
                clear_seq = t.last_seq;
        }
    }
    synthfs_buf_free(&t.b);
    return r;
}

int64_t proc_sys_syslog(struct proc *p, uint64_t type, uint64_t ubuf, uint64_t len, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    switch ((int)type) {
    case SYSLOG_CLOSE:
    case SYSLOG_OPEN:
        return 0;
    case SYSLOG_READ_ALL:
    case SYSLOG_READ_CLEAR:
        return syslog_read_all(p, ubuf, (int64_t)(int32_t)len, type == SYSLOG_READ_CLEAR);
    case SYSLOG_CLEAR: {
        struct log_text t;
        int err = log_format(&t);
        if (!err)
            clear_seq = t.last_seq;
        synthfs_buf_free(&t.b);
        return err;
    }
    case SYSLOG_CONSOLE_OFF:
        if (saved_console < 0)
            saved_console = klog_console_level();
        klog_set_console_level(KLOG_EMERG);
        return 0;
    case SYSLOG_CONSOLE_ON:
        if (saved_console >= 0)
            klog_set_console_level(saved_console);
        saved_console = -1;
        return 0;
    case SYSLOG_CONSOLE_LEVEL:
        /* Linux shows messages below level @len; Kestrel those at most its level. */
        if ((int64_t)(int32_t)len < 1 || (int32_t)len > 8)
            return -EINVAL;
        klog_set_console_level((int)len - 1);
        saved_console = -1;
        return 0;
    case SYSLOG_SIZE_UNREAD: {
        struct log_text t;
        int64_t r = log_format(&t);
        if (!r)
            r = (int64_t)t.b.len;
        synthfs_buf_free(&t.b);
        return r;
    }
    case SYSLOG_SIZE_BUFFER:
        return SYSLOG_BUF_SIZE;
    default: /* SYSLOG_READ (a blocking, consuming read) is not supported */
        return -EINVAL;
    }
}

/* ---- getrusage, times ---- */

struct linux_rusage {
    int64_t utime_s, utime_us, stime_s, stime_us;
    int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv,
        nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct linux_rusage) == 144, "Linux x86-64's struct rusage");

/* CPU time the calling process has used, in microseconds (all of it counted
 * as user time: the scheduler does not split user from kernel time). */
static uint64_t cpu_us(struct proc *p)
{
    uint64_t rate = timer_rate_mhz(); /* ticks per 1000 s */
    return rate && p->thread ? p->thread->ticks * (1000000000ull / rate) : 0;
}

int64_t proc_sys_getrusage(struct proc *p, uint64_t who, uint64_t ubuf, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    enum { RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1 };
    struct linux_rusage ru;
    memset(&ru, 0, sizeof(ru));
    int w = (int)who;
    if (w != RUSAGE_SELF && w != RUSAGE_CHILDREN && w != RUSAGE_THREAD)
        return -EINVAL;
    if (w != RUSAGE_CHILDREN) { /* children's times are not accumulated: zeros */
        uint64_t us = cpu_us(p);
        ru.utime_s = (int64_t)(us / 1000000u);
        ru.utime_us = (int64_t)(us % 1000000u);
        struct uvm_stats st;
        uvm_stats(&p->vm, &st);
        ru.maxrss = (int64_t)(st.resident_pages * 4); /* KiB, the current size */
        ru.minflt = (int64_t)st.faults;
    }
    return uvm_copy_out(&p->vm, ubuf, &ru, sizeof(ru));
}

int64_t proc_sys_times(struct proc *p, uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    int64_t tms[4] = { (int64_t)(cpu_us(p) / (1000000u / PROCFS_USER_HZ)), 0, 0, 0 };
    if (ubuf) {
        int err = uvm_copy_out(&p->vm, ubuf, tms, sizeof(tms));
        if (err)
            return err;
    }
    return (int64_t)(proc_cfg.now_ns() / (1000000000u / PROCFS_USER_HZ));
}
