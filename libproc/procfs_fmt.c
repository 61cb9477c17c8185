/*
 * procfs_fmt.c - /proc's text in Linux's formats (proc/procfs.h, "Formatting").
 *
 * Layer: pure functions from a filled-in struct to text in a synthfs buffer;
 * built for the host too, where tests/unit/proc checks each format field by
 * field. The tree that gathers the data is procfs.c.
 *
 * The formats are Linux's (Linux's fs/proc and drivers/pci/proc.c define them):
 * field order, widths and separators are kept, since ps, free, uptime,
 * mount, df and lspci parse them. Fields for what Kestrel does not have are
 * written as 0 (or Linux's value for "none", such as -1 for tpgid).
 */
#include <k/errno.h>
#include <proc/procfs.h>
#include <string.h>

/* ---- load average (Linux's calc_load, 5-second samples) ---- */

#define EXP_1  1884 /* 2048 / exp(5 s / 1 min) */
#define EXP_5  2014 /* 2048 / exp(5 s / 5 min) */
#define EXP_15 2037 /* 2048 / exp(5 s / 15 min) */

static uint64_t calc_load(uint64_t load, uint64_t exp, uint64_t active)
{
    uint64_t next = load * exp + active * (PROCFS_FIXED_1 - exp);
    if (active >= load)
        next += PROCFS_FIXED_1 - 1; /* round up while rising, so it can reach the count */
    return next / PROCFS_FIXED_1;
}

void procfs_loadavg_update(uint64_t avg[3], uint64_t active)
{
    active *= PROCFS_FIXED_1;
    avg[0] = calc_load(avg[0], EXP_1, active);
    avg[1] = calc_load(avg[1], EXP_5, active);
    avg[2] = calc_load(avg[2], EXP_15, active);
}

int procfs_fmt_loadavg(struct synthfs_buf *b, const uint64_t avg[3], unsigned running,
                       unsigned total, int last_pid)
{
    uint64_t i[3], f[3];
    for (int k = 0; k < 3; k++) {
        uint64_t a = avg[k] + PROCFS_FIXED_1 / 200; /* round to two decimals */
        i[k] = a >> PROCFS_FSHIFT;
        f[k] = ((a & (PROCFS_FIXED_1 - 1)) * 100) >> PROCFS_FSHIFT;
    }
    return synthfs_printf(
        b, "%llu.%02llu %llu.%02llu %llu.%02llu %u/%u %d\n", (unsigned long long)i[0],
        (unsigned long long)f[0], (unsigned long long)i[1], (unsigned long long)f[1],
        (unsigned long long)i[2], (unsigned long long)f[2], running, total, last_pid);
}

/* ---- memory and time ---- */

static void kb_line(struct synthfs_buf *b, const char *name, uint64_t bytes)
{
    /* Linux: the name and colon padded to 16 columns, the number to 8. */
    char label[24];
    size_t n = strlen(name);
    memcpy(label, name, n);
    label[n] = ':';
    label[n + 1] = '\0';
    synthfs_printf(b, "%-16s%8llu kB\n", label, (unsigned long long)(bytes >> 10));
}

int procfs_fmt_meminfo(struct synthfs_buf *b, const struct procfs_meminfo *m)
{
    kb_line(b, "MemTotal", m->total);
    kb_line(b, "MemFree", m->free);
    kb_line(b, "MemAvailable", m->available);
    kb_line(b, "Buffers", m->buffers);
    kb_line(b, "Cached", m->cached);
    kb_line(b, "SwapCached", 0);
    kb_line(b, "Inactive(file)", m->inactive_file);
    kb_line(b, "SwapTotal", 0);
    kb_line(b, "SwapFree", 0);
    kb_line(b, "Shmem", m->shmem);
    kb_line(b, "Slab", m->slab);
    kb_line(b, "SReclaimable", 0);
    kb_line(b, "SUnreclaim", m->slab);
    kb_line(b, "KernelStack", m->kernel_stack);
    kb_line(b, "PageTables", m->page_tables);
    kb_line(b, "VmallocTotal", m->heap_max);
    kb_line(b, "VmallocUsed", m->heap_size);
    kb_line(b, "VmallocChunk", 0);
    return b->err;
}

/* One row; @p size 0 is the row of large allocations. */
static void slab_row(struct synthfs_buf *b, uint64_t active, uint64_t total, uint64_t size,
                     uint64_t slabs)
{
    uint64_t per_slab = size && size <= 4096 ? 4096 / size : 1;
    if (size)
        synthfs_printf(b, "kmalloc-%-9llu", (unsigned long long)size);
    else
        synthfs_printf(b, "%-17s", "kmalloc-large");
    synthfs_printf(b,
                   " %6llu %6llu %6llu %4llu %4d : tunables %4d %4d %4d : slabdata %6llu "
                   "%6llu %6d\n",
                   (unsigned long long)active, (unsigned long long)total, (unsigned long long)size,
                   (unsigned long long)per_slab, size ? 1 : 0, 0, 0, 0, (unsigned long long)slabs,
                   (unsigned long long)slabs, 0);
}

int procfs_fmt_slabinfo(struct synthfs_buf *b, const struct mm_heap_stats *hs)
{
    synthfs_printf(b, "slabinfo - version: 2.1\n"
                      "# name            <active_objs> <num_objs> <objsize> <objperslab> "
                      "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
                      "<active_slabs> <num_slabs> <sharedavail>\n");
    uint64_t in_classes = 0;
    for (int i = 0; i < MM_HEAP_CLASSES; i++) {
        if (!hs->class_size[i])
            continue;
        slab_row(b, hs->class_live[i], hs->class_live[i] + hs->class_free[i], hs->class_size[i],
                 hs->class_slabs[i]);
        in_classes += hs->class_live[i];
    }
    uint64_t large = hs->live > in_classes ? hs->live - in_classes : 0;
    slab_row(b, large, large, 0, 0);
    return b->err;
}

int procfs_fmt_uptime(struct synthfs_buf *b, uint64_t up_ns, uint64_t idle_ns)
{
    return synthfs_printf(b, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up_ns / 1000000000u),
                          (unsigned long long)(up_ns / 10000000u % 100),
                          (unsigned long long)(idle_ns / 1000000000u),
                          (unsigned long long)(idle_ns / 10000000u % 100));
}

int procfs_fmt_stat_all(struct synthfs_buf *b, const struct procfs_stat *s)
{
    /* user nice system idle iowait irq softirq steal guest guest_nice: the
     * scheduler does not tell user from kernel time, so busy time is "user". */
    unsigned n = s->ncpus < PROCFS_STAT_CPUS ? s->ncpus : PROCFS_STAT_CPUS;
    uint64_t busy = 0, idle = 0;
    for (unsigned cpu = 0; cpu < n; cpu++) {
        busy += s->busy[cpu];
        idle += s->idle[cpu];
    }
    synthfs_printf(b, "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n", (unsigned long long)busy,
                   (unsigned long long)idle);
    for (unsigned cpu = 0; cpu < n; cpu++)
        synthfs_printf(b, "cpu%u %llu 0 0 %llu 0 0 0 0 0 0\n", cpu,
                       (unsigned long long)s->busy[cpu], (unsigned long long)s->idle[cpu]);
    return synthfs_printf(b,
                          "intr 0\nctxt %llu\nbtime %llu\nprocesses %llu\nprocs_running %u\n"
                          "procs_blocked 0\n",
                          (unsigned long long)s->switches, (unsigned long long)s->boot_time,
                          (unsigned long long)s->forks, s->running);
}

/* ---- mounts ---- */

/* Linux's mangle(): these four would break the line into fields. */
static void escaped(struct synthfs_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
            synthfs_printf(b, "\\%03o", (unsigned)(unsigned char)*s);
        else
            synthfs_write(b, s, 1);
    }
}

int procfs_fmt_mount(struct synthfs_buf *b, const char *source, const char *dir, const char *type,
                     uint32_t flags)
{
    escaped(b, source);
    synthfs_write(b, " ", 1);
    escaped(b, dir);
    synthfs_write(b, " ", 1);
    escaped(b, type);
    synthfs_printf(b, " %s%s%s%s 0 0\n", (flags & VFS_MNT_RDONLY) ? "ro" : "rw",
                   (flags & VFS_MNT_NOSUID) ? ",nosuid" : "",
                   (flags & VFS_MNT_NODEV) ? ",nodev" : "",
                   (flags & VFS_MNT_NOEXEC) ? ",noexec" : "");
    return b->err;
}

/* ---- processes ---- */

const char *procfs_state_name(char state)
{
    switch (state) {
    case 'R':
        return "R (running)";
    case 'S':
        return "S (sleeping)";
    case 'D':
        return "D (disk sleep)";
    case 'T':
        return "T (stopped)";
    case 'Z':
        return "Z (zombie)";
    default:
        return "X (dead)";
    }
}

int procfs_fmt_stat(struct synthfs_buf *b, const struct procfs_pid *p)
{
    /* Fields 1-13: pid (comm) state ppid pgrp session tty_nr tpgid flags
     * minflt cminflt majflt cmajflt. */
    synthfs_printf(b, "%d (%s) %c %d %d %d 0 -1 0 %llu 0 0 0 ", p->pid, p->comm, p->state, p->ppid,
                   p->pgrp, p->session, (unsigned long long)p->minflt);
    /* 14-25: utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime vsize rss rsslim. */
    synthfs_printf(b, "%llu 0 0 0 20 0 1 0 %llu %llu %llu 18446744073709551615 ",
                   (unsigned long long)p->utime, (unsigned long long)p->starttime,
                   (unsigned long long)p->vsize, (unsigned long long)p->rss_pages);
    /* 26-37: startcode endcode startstack kstkesp kstkeip signal blocked
     * sigignore sigcatch wchan nswap cnswap. */
    synthfs_printf(b, "0 0 0 0 0 %llu %llu %llu %llu 0 0 0 ", (unsigned long long)p->sigpending,
                   (unsigned long long)p->sigblocked, (unsigned long long)p->sigignored,
                   (unsigned long long)p->sigcaught);
    /* 38-52: exit_signal processor rt_priority policy delayacct_blkio_ticks
     * guest_time cguest_time start_data end_data start_brk arg_start arg_end
     * env_start env_end exit_code. */
    return synthfs_printf(b, "17 %u 0 0 0 0 0 0 0 %llu 0 0 0 0 %d\n", p->processor,
                          (unsigned long long)p->start_brk, p->exit_code);
}

int procfs_fmt_status(struct synthfs_buf *b, const struct procfs_pid *p)
{
    synthfs_printf(b,
                   "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
                   "PPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n"
                   "Groups:\t\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
                   p->comm, p->umask, procfs_state_name(p->state), p->pid, p->pid, p->ppid,
                   VFS_FD_MAX, p->pid, p->pid, p->pgrp, p->session);
    if (p->state != 'Z') { /* a zombie has no memory left: Linux leaves these out */
        uint64_t heap = p->brk > p->start_brk ? p->brk - p->start_brk : 0;
        synthfs_printf(b,
                       "VmSize:\t%8llu kB\nVmRSS:\t%8llu kB\nRssAnon:\t%8llu kB\n"
                       "VmData:\t%8llu kB\n",
                       (unsigned long long)(p->vsize >> 10), (unsigned long long)(p->rss_pages * 4),
                       (unsigned long long)(p->rss_pages * 4), (unsigned long long)(heap >> 10));
    }
    return synthfs_printf(b,
                          "Threads:\t1\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
                          "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
                          (unsigned long long)p->sigpending, 0ull,
                          (unsigned long long)p->sigblocked, (unsigned long long)p->sigignored,
                          (unsigned long long)p->sigcaught);
}

int procfs_fmt_statm(struct synthfs_buf *b, const struct procfs_pid *p)
{
    return synthfs_printf(b, "%llu %llu %llu 0 0 0 0\n", (unsigned long long)(p->vsize >> 12),
                          (unsigned long long)p->rss_pages, (unsigned long long)p->shared_pages);
}

/* ---- devices and the log ---- */

int procfs_fmt_pci(struct synthfs_buf *b, const struct pci_device *d, const char *driver)
{
    unsigned devfn = (unsigned)(d->slot << 3 | d->func);
    unsigned irq = d->irq_line == 0xff ? 0 : d->irq_line;
    synthfs_printf(b, "%02x%02x\t%04x%04x\t%x", d->bus, devfn, d->vendor_id, d->device_id, irq);
    /* Six BARs and the expansion ROM (not decoded: 0): the start with the
     * BAR's low flag bits (I/O; 64-bit; prefetchable), then the sizes. */
    for (int i = 0; i < 7; i++) {
        uint64_t v = 0;
        if (i < PCI_MAX_BARS && d->bars[i].type != PCI_BAR_NONE) {
            const struct pci_bar *bar = &d->bars[i];
            v = bar->base;
            if (bar->type == PCI_BAR_IO)
                v |= 0x1;
            if (bar->type == PCI_BAR_MEM64)
                v |= 0x4;
            if (bar->prefetchable)
                v |= 0x8;
        }
        synthfs_printf(b, "\t%16llx", (unsigned long long)v);
    }
    for (int i = 0; i < 7; i++) {
        uint64_t size = i < PCI_MAX_BARS && d->bars[i].type != PCI_BAR_NONE ? d->bars[i].size : 0;
        synthfs_printf(b, "\t%16llx", (unsigned long long)size);
    }
    return synthfs_printf(b, "\t%s\n", driver ? driver : "");
}

int procfs_fmt_klog(struct synthfs_buf *b, const struct klog_record *r)
{
    uint64_t us = r->time_ns / 1000u;
    return synthfs_printf(b, "<%d>[%5llu.%06llu] %s: %s\n", r->level,
                          (unsigned long long)(us / 1000000u), (unsigned long long)(us % 1000000u),
                          r->subsys, r->text);
}
