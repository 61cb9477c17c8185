/*
 * procfs.c - the /proc tree (proc/procfs.h): a synthetic file tree whose
 * callbacks gather the kernel's state and hand it to the formatters
 * (procfs_fmt.c, procfs_cpu.c).
 *
 *   /proc/{meminfo,uptime,loadavg,mounts,version,cpuinfo,filesystems,kmsg,stat}
 *   /proc/self -> PID of the caller
 *   /proc/bus/pci/devices
 *   /proc/PID/{stat,status,statm,cmdline,comm,cwd,exe,fd/N}
 *
 * Locking: every callback runs with the VFS's namespace lock held (synthfs).
 * Another process's fields are copied out with interrupts off, under the big
 * kernel lock (proc/proc.h), so no other thread runs during the copy: a
 * process cannot be reaped or exec'd half way through it; its descriptor
 * table changes only under the VFS lock, which we hold. Nothing is allocated
 * with interrupts off. `pcfg` is set at boot; `load` is written only by the
 * sampler thread (procfs_loadavg_tick()) and copied with interrupts off.
 */
#include "proc_priv.h"
#include <proc/exec_image.h>

#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <mm/heap.h>
#include <proc/procfs.h>
#include <sched/thread.h>
#include <string.h>
#include <vfs/devfs.h>

static struct procfs_config pcfg;
static uint64_t load[3]; /* fixed point, PROCFS_FSHIFT */

void procfs_init(const struct procfs_config *cfg)
{
    pcfg = cfg ? *cfg : (struct procfs_config){ 0 };
}

/* ---- the scheduler's view: load, idle time ---- */

#define THREADS_MAX (PROC_MAX + 64)

struct sched_counts {
    unsigned running; /* ready or running, idle threads excluded */
    unsigned total;   /* threads, idle threads excluded */
    uint64_t idle_ticks;
    uint64_t busy_ticks; /* every other thread's */
};

static int count_threads(struct sched_counts *c)
{
    struct thread_info *t = kmalloc(THREADS_MAX * sizeof(*t));
    if (!t)
        return -ENOMEM;
    int n = sched_snapshot(t, THREADS_MAX);
    *c = (struct sched_counts){ 0 };
    for (int i = 0; i < n && i < THREADS_MAX; i++) {
        if (t[i].idle) {
            c->idle_ticks += t[i].ticks;
            continue;
        }
        c->total++;
        c->busy_ticks += t[i].ticks;
        c->running += t[i].state == THREAD_READY || t[i].state == THREAD_RUNNING;
    }
    kfree(t);
    return 0;
}

void procfs_loadavg_tick(void)
{
    struct sched_counts c;
    if (count_threads(&c) == 0)
        procfs_loadavg_update(load, c.running ? c.running - 1 : 0); /* not the sampler */
}

void procfs_loadavg(uint64_t avg[3])
{
    uint64_t f = cpu_irq_save();
    memcpy(avg, load, sizeof(load));
    cpu_irq_restore(f);
}

/* Timer ticks to nanoseconds (the rate is in ticks per 1000 s). */
static uint64_t ticks_ns(uint64_t ticks)
{
    uint64_t rate = timer_rate_mhz();
    return rate ? ticks * (1000000000000ull / rate) : 0;
}

/* ---- memory ---- */

static void add_page_tables(struct procfs_meminfo *m)
{
    for (int pid = proc_next_pid(1); pid > 0; pid = proc_next_pid(pid + 1)) {
        uint64_t f = cpu_irq_save();
        struct proc *p = proc_find(pid);
        struct uvm_stats st = { 0 };
        if (p && p->vm_live)
            uvm_stats(&p->vm, &st);
        cpu_irq_restore(f);
        m->page_tables += st.table_frames * 4096;
    }
}

void procfs_meminfo(struct procfs_meminfo *m)
{
    memset(m, 0, sizeof(*m));
    if (proc_cfg.frames) {
        m->total = mm_frames_total_count(proc_cfg.frames) * 4096;
        m->free = mm_frames_free_count(proc_cfg.frames) * 4096;
    }
    add_page_tables(m);
    /* The programs' pages (exec cache): file data held in memory, as Linux's
     * page cache holds them; those no process maps are inactive. */
    struct exec_cache_stats es;
    proc_exec_stats(&es);
    m->cached += es.pages * 4096;
    m->inactive_file = es.idle_pages * 4096;
    if (pcfg.meminfo)
        pcfg.meminfo(m);
    if (!m->available)
        m->available = m->free; /* no cache Kestrel has can be dropped for memory */
}

/* ---- top-level files ---- */

static int show_meminfo(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct procfs_meminfo m;
    procfs_meminfo(&m);
    return procfs_fmt_meminfo(b, &m);
}

static int show_slabinfo(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct mm_heap_stats hs;
    mm_heap_get_stats(mm_kheap(), &hs);
    return procfs_fmt_slabinfo(b, &hs);
}

static int show_uptime(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct sched_counts c;
    int err = count_threads(&c);
    return err ? err : procfs_fmt_uptime(b, proc_cfg.now_ns(), ticks_ns(c.idle_ticks));
}

static int show_loadavg(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct sched_counts c;
    int err = count_threads(&c);
    uint64_t avg[3];
    procfs_loadavg(avg);
    return err ? err : procfs_fmt_loadavg(b, avg, c.running, c.total, proc_last_pid());
}

/* Timer ticks to PROCFS_USER_HZ ticks. */
static uint64_t user_ticks(uint64_t ticks)
{
    uint64_t rate = timer_rate_mhz();
    return rate ? ticks * (1000u * PROCFS_USER_HZ) / rate : 0;
}

static int show_stat(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct sched_counts c;
    int err = count_threads(&c);
    if (err)
        return err;
    /* The CPUs' own counts, not the sum over live threads: a thread that
     * exited takes its ticks with it, so that sum could go backwards. */
    struct procfs_stat s = {
        .switches = sched_switch_count(),
        .boot_time = proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0,
        .forks = (uint64_t)proc_last_pid(),
        .running = c.running,
    };
    for (unsigned cpu = 0; cpu < PROCFS_STAT_CPUS; cpu++) {
        struct sched_cpu_time t;
        if (sched_cpu_time(cpu, &t) < 0)
            continue;
        s.busy[s.ncpus] = user_ticks(t.busy);
        s.idle[s.ncpus++] = user_ticks(t.idle);
    }
    return procfs_fmt_stat_all(b, &s);
}

static void mount_line(struct vfs_mount *m, void *arg)
{
    procfs_fmt_mount(arg, m->source, m->path, m->type->name, m->flags);
}

static int show_mounts(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    vfs_for_each_mount_locked(mount_line, b);
    return b->err;
}

static int show_version(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    return synthfs_printf(b, "Kestrel version 0.1.0 (kestrel@kestrel) (gcc version %s) #1 x86_64\n",
                          __VERSION__);
}

static int show_cpuinfo(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct procfs_cpu c;
    procfs_cpu_probe(&c, cpu_cpuid, timer_tsc_per_ms());
    /* One block per online CPU, as Linux lists them (they are all alike). */
    uint32_t ids[ARCH_MAX_CPUS];
    unsigned n = arch_cpus_online(ids, ARCH_MAX_CPUS);
    int r = 0;
    c.ncpus = n;
    for (unsigned i = 0; i < n && r >= 0; i++) {
        c.processor = i;
        c.apicid = ids[i];
        r = procfs_fmt_cpuinfo(b, &c);
    }
    return r;
}

static void fs_line(const struct vfs_fs_type *t, void *arg)
{
    synthfs_printf(arg, "%s\t%s\n", t->requires_dev ? "" : "nodev", t->name);
}

static int show_filesystems(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    vfs_for_each_fs_type(fs_line, b);
    return b->err;
}

static void klog_line(void *arg, const struct klog_record *r)
{
    procfs_fmt_klog(arg, r);
}

static int show_kmsg(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    klog_read(KLOG_DEBUG, klog_line, b);
    return b->err;
}

/* Linux's block-device counters, plus Kestrel's in-place and read-ahead counts. */
static int show_diskstats(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    size_t need = blockdev_diskstats(DEVFS_BLOCK_MAJOR, NULL, 0) + 1;
    char *text = kmalloc(need);
    if (!text)
        return -ENOMEM;
    size_t len = blockdev_diskstats(DEVFS_BLOCK_MAJOR, text, need);
    synthfs_write(b, text, len < need ? len : need - 1);
    kfree(text);
    return b->err;
}

static int show_pci(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    const struct pci_device *d = NULL;
    size_t n = pcfg.pci_devices ? pcfg.pci_devices(&d) : 0;
    for (size_t i = 0; i < n; i++) {
        const struct driver *drv = d[i].dev.driver;
        procfs_fmt_pci(b, &d[i], drv ? drv->name : NULL);
    }
    return b->err;
}

static int link_self(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    (void)arg;
    struct proc *p = proc_current();
    return p ? synthfs_printf(b, "%d", p->pid) : -ENOENT; /* a kernel thread has no pid */
}

/* ---- one process ---- */

/* Copy what stat and status show of process @pid; -ENOENT once it is gone. */
static int pid_info(int pid, struct procfs_pid *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t rate = timer_rate_mhz();
    uint64_t f = cpu_irq_save();
    struct proc *p = proc_find(pid);
    if (!p) {
        cpu_irq_restore(f);
        return -ENOENT;
    }
    out->pid = p->pid;
    out->ppid = p->parent ? p->parent->pid : 0;
    out->pgrp = p->pgid;
    out->session = p->sid;
    memcpy(out->comm, p->name, sizeof(out->comm));
    out->comm[sizeof(out->comm) - 1] = '\0';
    if (p->state == PROC_ZOMBIE) {
        out->state = 'Z';
        out->exit_code = p->status;
    } else if (p->thread) {
        enum thread_state ts = p->thread->state;
        out->state = ts == THREAD_RUNNING || ts == THREAD_READY ? 'R' : 'S';
        out->utime = rate ? p->thread->ticks * (1000u * PROCFS_USER_HZ) / rate : 0;
        out->processor = p->thread->cpu;
    } else {
        out->state = 'R'; /* being started */
    }
    out->starttime = p->start_ns / (1000000000u / PROCFS_USER_HZ);
    if (p->vm_live) {
        struct uvm_stats st;
        uvm_stats(&p->vm, &st);
        out->minflt = st.faults;
        out->vsize = st.mapped_bytes;
        out->rss_pages = st.resident_pages;
        out->start_brk = st.brk_base;
        out->brk = st.brk;
    }
    out->sigpending = p->pending;
    out->sigblocked = p->sigmask;
    for (int s = 0; s < PROC_NSIG; s++) {
        if (p->act[s].handler == 1)
            out->sigignored |= 1ull << s;
        else if (p->act[s].handler > 1)
            out->sigcaught |= 1ull << s;
    }
    out->umask = p->umask;
    for (int fd = 0; fd < VFS_FD_MAX; fd++)
        out->fds += p->files.fds[fd] != NULL;
    cpu_irq_restore(f);
    return 0;
}

static int show_pid_stat(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    struct procfs_pid p;
    int err = pid_info((int)pid, &p);
    return err ? err : procfs_fmt_stat(b, &p);
}

static int show_pid_status(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    struct procfs_pid p;
    int err = pid_info((int)pid, &p);
    return err ? err : procfs_fmt_status(b, &p);
}

static int show_pid_statm(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    struct procfs_pid p;
    int err = pid_info((int)pid, &p);
    if (err)
        return err;
    /* Shared: one walk of the process's tables, so only here. */
    uint64_t f = cpu_irq_save();
    struct proc *pr = proc_find((int)pid);
    if (pr && pr->vm_live)
        p.shared_pages = uvm_shared_pages(&pr->vm);
    cpu_irq_restore(f);
    return procfs_fmt_statm(b, &p);
}

static int show_pid_comm(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    struct procfs_pid p;
    int err = pid_info((int)pid, &p);
    return err ? err : synthfs_printf(b, "%s\n", p.comm);
}

static int show_pid_cmdline(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    char *copy = kmalloc(PROC_CMDLINE_MAX);
    if (!copy)
        return -ENOMEM;
    uint64_t f = cpu_irq_save();
    struct proc *p = proc_find((int)pid);
    uint32_t n = p ? p->cmdline_len : 0;
    if (n)
        memcpy(copy, p->cmdline, n);
    cpu_irq_restore(f);
    int err = p ? synthfs_write(b, copy, n) : -ENOENT;
    kfree(copy);
    return err;
}

/* Copy a symlink target of process @pid made by @fn(p, arg, out, size) with
 * interrupts off (so the process cannot be reaped meanwhile), then emit it. */
static int pid_link(uint64_t pid, uint64_t arg, struct synthfs_buf *b,
                    int (*fn)(struct proc *p, uint64_t arg, char *out, size_t size))
{
    char *text = kmalloc(VFS_PATH_MAX);
    if (!text)
        return -ENOMEM;
    uint64_t f = cpu_irq_save();
    struct proc *p = proc_find((int)pid);
    int err = p && p->state == PROC_LIVE ? fn(p, arg, text, VFS_PATH_MAX) : -ENOENT;
    cpu_irq_restore(f);
    if (!err)
        err = synthfs_printf(b, "%s", text);
    kfree(text);
    return err;
}

static int cwd_text(struct proc *p, uint64_t arg, char *out, size_t size)
{
    (void)arg;
    if (p->files.cwd_path[0] != '/')
        return -ENOENT;
    ksnprintf(out, size, "%s", p->files.cwd_path);
    return 0;
}

static int link_pid_cwd(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    return pid_link(pid, 0, b, cwd_text);
}

static int exe_text(struct proc *p, uint64_t arg, char *out, size_t size)
{
    (void)arg;
    if (!p->exe)
        return -ENOENT;
    ksnprintf(out, size, "%s", p->exe);
    return 0;
}

static int link_pid_exe(void *ctx, uint64_t pid, struct synthfs_buf *b)
{
    (void)ctx;
    return pid_link(pid, 0, b, exe_text);
}

static int fd_text(struct proc *p, uint64_t fd, char *out, size_t size)
{
    struct vfs_file *f = p->files.fds[fd];
    if (!f)
        return -ENOENT;
    if (f->path)
        ksnprintf(out, size, "%s", f->path);
    else if (f->vn->type == VFS_TYPE_FIFO)
        ksnprintf(out, size, "pipe:[%llu]", (unsigned long long)f->vn->ino);
    else
        ksnprintf(out, size, "anon_inode:[%s]", vfs_type_name(f->vn->type));
    return 0;
}

/* /proc/PID/fd/N: argument pid * VFS_FD_MAX + N. */
static int link_fd(void *ctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)ctx;
    return pid_link(arg / VFS_FD_MAX, arg % VFS_FD_MAX, b, fd_text);
}

/* Is descriptor @fd of process @pid open? */
static bool fd_open(uint64_t pid, uint64_t fd)
{
    uint64_t f = cpu_irq_save();
    struct proc *p = proc_find((int)pid);
    bool open = p && p->state == PROC_LIVE && fd < VFS_FD_MAX && p->files.fds[fd];
    cpu_irq_restore(f);
    return open;
}

/* ---- the tree ---- */

enum {
    P_ROOT,
    P_MEMINFO,
    P_UPTIME,
    P_LOADAVG,
    P_MOUNTS,
    P_VERSION,
    P_CPUINFO,
    P_FILESYSTEMS,
    P_KMSG,
    P_STAT,
    P_SLABINFO,
    P_DISKSTATS,
    P_SELF,
    P_BUS,
    P_BUS_PCI,
    P_PCI_DEVICES,
    P_PID,
    P_PID_STAT,
    P_PID_STATUS,
    P_PID_STATM,
    P_PID_CMDLINE,
    P_PID_COMM,
    P_PID_CWD,
    P_PID_EXE,
    P_PID_FD,
    P_FD_LINK,
    P_COUNT
};

static int parse_number(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s || (s[0] == '0' && s[1]))
        return -ENOENT; /* "", "007": not a name /proc lists */
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > max / 10)
            return -ENOENT;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > max)
        return -ENOENT;
    *out = v;
    return 0;
}

static int pids_next(void *ctx, uint64_t arg, uint64_t *cookie, struct synthfs_child *out)
{
    (void)ctx;
    (void)arg;
    int pid = proc_next_pid(*cookie > 0 ? (int)*cookie : 1);
    if (pid <= 0)
        return 0;
    ksnprintf(out->name, sizeof(out->name), "%d", pid);
    out->entry = P_PID;
    out->arg = (uint64_t)pid;
    *cookie = (uint64_t)pid + 1;
    return 1;
}

static int pids_lookup(void *ctx, uint64_t arg, const char *name, struct synthfs_child *out)
{
    (void)ctx;
    (void)arg;
    uint64_t pid;
    if (parse_number(name, 0x7fffffff, &pid) || !proc_find((int)pid))
        return -ENOENT;
    out->entry = P_PID;
    out->arg = pid;
    return 0;
}

static int fds_next(void *ctx, uint64_t pid, uint64_t *cookie, struct synthfs_child *out)
{
    (void)ctx;
    for (uint64_t fd = *cookie; fd < VFS_FD_MAX; fd++) {
        if (fd_open(pid, fd)) {
            ksnprintf(out->name, sizeof(out->name), "%llu", (unsigned long long)fd);
            out->entry = P_FD_LINK;
            out->arg = pid * VFS_FD_MAX + fd;
            *cookie = fd + 1;
            return 1;
        }
    }
    return 0;
}

static int fds_lookup(void *ctx, uint64_t pid, const char *name, struct synthfs_child *out)
{
    (void)ctx;
    uint64_t fd;
    if (parse_number(name, VFS_FD_MAX - 1, &fd) || !fd_open(pid, fd))
        return -ENOENT;
    out->entry = P_FD_LINK;
    out->arg = pid * VFS_FD_MAX + fd;
    return 0;
}

static const uint16_t root_kids[] = { P_MEMINFO, P_UPTIME,      P_LOADAVG,  P_MOUNTS, P_VERSION,
                                      P_CPUINFO, P_FILESYSTEMS, P_KMSG,     P_STAT,   P_SLABINFO,
                                      P_SELF,    P_BUS,         P_DISKSTATS };
static const uint16_t bus_kids[] = { P_BUS_PCI };
static const uint16_t pci_kids[] = { P_PCI_DEVICES };
static const uint16_t pid_kids[] = { P_PID_STAT, P_PID_STATUS, P_PID_STATM, P_PID_CMDLINE,
                                     P_PID_COMM, P_PID_CWD,    P_PID_EXE,   P_PID_FD };

#define KIDS(a) .kids = a, .nkids = sizeof(a) / sizeof(a[0])
#define SFILE(n, fn)                                                                               \
    {                                                                                              \
        .name = n, .type = VFS_TYPE_FILE, .mode = 0444, .show = fn                                 \
    }
#define LINK(n, fn)                                                                                \
    {                                                                                              \
        .name = n, .type = VFS_TYPE_SYMLINK, .mode = 0777, .link = fn                              \
    }

static const struct synthfs_entry entries[P_COUNT] = {
    [P_ROOT] = { .type = VFS_TYPE_DIR,
                 .mode = 0555,
                 KIDS(root_kids),
                 .next = pids_next,
                 .lookup = pids_lookup },
    [P_MEMINFO] = SFILE("meminfo", show_meminfo),
    [P_SLABINFO] = { .name = "slabinfo",
                     .type = VFS_TYPE_FILE,
                     .mode = 0400,
                     .show = show_slabinfo },
    [P_UPTIME] = SFILE("uptime", show_uptime),
    [P_LOADAVG] = SFILE("loadavg", show_loadavg),
    [P_MOUNTS] = SFILE("mounts", show_mounts),
    [P_VERSION] = SFILE("version", show_version),
    [P_CPUINFO] = SFILE("cpuinfo", show_cpuinfo),
    [P_FILESYSTEMS] = SFILE("filesystems", show_filesystems),
    [P_KMSG] = { .name = "kmsg", .type = VFS_TYPE_FILE, .mode = 0400, .show = show_kmsg },
    [P_STAT] = SFILE("stat", show_stat),
    [P_DISKSTATS] = SFILE("diskstats", show_diskstats),
    [P_SELF] = LINK("self", link_self),
    [P_BUS] = { .name = "bus", .type = VFS_TYPE_DIR, .mode = 0555, KIDS(bus_kids) },
    [P_BUS_PCI] = { .name = "pci", .type = VFS_TYPE_DIR, .mode = 0555, KIDS(pci_kids) },
    [P_PCI_DEVICES] = SFILE("devices", show_pci),
    [P_PID] = { .type = VFS_TYPE_DIR, .mode = 0555, KIDS(pid_kids) },
    [P_PID_STAT] = SFILE("stat", show_pid_stat),
    [P_PID_STATUS] = SFILE("status", show_pid_status),
    [P_PID_STATM] = SFILE("statm", show_pid_statm),
    [P_PID_CMDLINE] = SFILE("cmdline", show_pid_cmdline),
    [P_PID_COMM] = SFILE("comm", show_pid_comm),
    [P_PID_CWD] = LINK("cwd", link_pid_cwd),
    [P_PID_EXE] = LINK("exe", link_pid_exe),
    [P_PID_FD] = { .name = "fd",
                   .type = VFS_TYPE_DIR,
                   .mode = 0500,
                   .next = fds_next,
                   .lookup = fds_lookup },
    [P_FD_LINK] = { .type = VFS_TYPE_SYMLINK, .mode = 0700, .link = link_fd },
};

static const struct synthfs_tree tree = { entries, P_COUNT, NULL };

static int procfs_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    (void)source;
    return synthfs_mount(mnt, &tree, root);
}

const struct vfs_fs_type procfs_type = {
    .name = "proc",
    .mount = procfs_mount,
    .unmount = synthfs_unmount,
    .magic = PROCFS_MAGIC,
};
