/*
 * kshell.c - the kernel shell thread and the kernel's own commands
 * (kernel/kshell.h).
 *
 * Input: the console terminal (kernel/tty.h) in raw mode, one byte at a
 * time: the shell thread sleeps in tty_read() while nothing is typed.
 * Output: every console. File commands come from shell/cmd_fs.c.
 */
#include <k/console.h>
#include <arch/cpu.h>
#include <k/errno.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <arch/qemu.h>
#include <arch/rtc.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <kernel/devices.h>
#include <kernel/fs.h>
#include <kernel/kshell.h>
#include <kernel/power.h>
#include <kernel/procs.h>
#include <kernel/tty.h>
#include <proc/proc.h>
#include <kernel/ktest.h>
#include <kernel/version.h>
#include <mm/mm.h>
#include <sched/sync.h>
#include <sched/thread.h>
#include <shell/fs_cmds.h>
#include <shell/shell.h>
#include <string.h>
#include <vfs/sfs_vfs.h>

static struct shell sh;
static struct vfs_ctx shell_vfs;
static struct shell_env env;

static void io_write(void *ctx, const char *buf, size_t n)
{
    (void)ctx;
    console_write(buf, n);
}

static int io_getc(void *ctx)
{
    (void)ctx;
    uint8_t c;
    while (tty_read(kernel_tty(), &c, 1) != 1)
        ; /* a kernel thread is never interrupted; VMIN 1 waits for a byte */
    return c;
}

static const struct shell_io_ops io = { .write = io_write, .getc = io_getc };

/* ---- kernel commands ---- */

static int cmd_uname(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf(s, "%s %s x86_64\n", KERNEL_NAME, KERNEL_VERSION);
    return 0;
}

static int cmd_uptime(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    uint64_t ms = timer_uptime_ms();
    shell_printf(s, "up %llu.%03llu s (%llu ticks)\n", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000), (unsigned long long)timer_ticks());
    return 0;
}

static int cmd_date(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (!timer_has_epoch()) {
        shell_eprintf(s, "date: no real-time clock was readable at boot\n");
        return 1;
    }
    struct rtc_time t;
    rtc_from_epoch((int64_t)timer_realtime_s(), &t);
    shell_printf(s, "%04d-%02d-%02d %02d:%02d:%02d UTC\n", t.year, t.month, t.day, t.hour, t.minute,
                 t.second);
    return 0;
}

static int cmd_ps(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static struct thread_info info[64];
    int n = sched_snapshot(info, 64);
    shell_printf(s, "%5s %-16s %-9s %10s\n", "ID", "NAME", "STATE", "TICKS");
    for (int i = 0; i < n && i < 64; i++)
        shell_printf(s, "%5llu %-16s %-9s %10llu\n", (unsigned long long)info[i].id, info[i].name,
                     thread_state_name(info[i].state), (unsigned long long)info[i].ticks);
    if (n > 64)
        shell_printf(s, "(%d more)\n", n - 64);
    static struct proc_info procs[PROC_MAX];
    int np = proc_snapshot(procs, PROC_MAX);
    shell_printf(s, "processes: %d\n", np);
    if (np > 0)
        shell_printf(s, "%5s %5s %-16s %-7s %8s\n", "PID", "PPID", "NAME", "STATE", "PAGES");
    for (int i = 0; i < np; i++)
        shell_printf(s, "%5d %5d %-16s %-7s %8llu\n", procs[i].pid, procs[i].ppid, procs[i].name,
                     procs[i].state == PROC_ZOMBIE ? "zombie" : "live",
                     (unsigned long long)procs[i].resident_pages);
    return 0;
}

static int cmd_mem(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct mm_frames *fa = mm_kernel_frames();
    uint64_t total = mm_frames_total_count(fa), freef = mm_frames_free_count(fa);
    shell_printf(s, "frames: %llu total, %llu used, %llu free (%llu MiB free)\n",
                 (unsigned long long)total, (unsigned long long)(total - freef),
                 (unsigned long long)freef, (unsigned long long)(freef * 4096 >> 20));
    struct mm_heap_stats st;
    mm_heap_get_stats(mm_kheap(), &st);
    shell_printf(s, "heap (%s): size %llu, in use %llu, free %llu, peak %llu\n",
                 mm_heap_kind_name(mm_heap_kind_of(mm_kheap())), (unsigned long long)st.heap_size,
                 (unsigned long long)st.in_use, (unsigned long long)st.free,
                 (unsigned long long)st.peak_in_use);
    shell_printf(
        s, "      %llu live allocations, %llu allocs, %llu frees, %llu failed, grew %llu times\n",
        (unsigned long long)st.live, (unsigned long long)st.allocs, (unsigned long long)st.frees,
        (unsigned long long)st.failed, (unsigned long long)st.grows);
    for (int i = 0; i < MM_HEAP_CLASSES; i++)
        if (st.class_size[i] && (st.class_live[i] || st.class_free[i]))
            shell_printf(s, "      class %5llu: %llu live, %llu free\n",
                         (unsigned long long)st.class_size[i], (unsigned long long)st.class_live[i],
                         (unsigned long long)st.class_free[i]);
    return 0;
}

static int cmd_lspci(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    size_t n;
    const struct pci_device *d = kernel_pci_devices(&n);
    char line[256];
    for (size_t i = 0; i < n; i++) {
        size_t len = pci_describe(&d[i], line, sizeof(line));
        shell_printf(s, "%s%s", line, len && line[len - 1] == '\n' ? "" : "\n");
    }
    return 0;
}

static int cmd_devices(struct shell *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static char buf[4096];
    bus_describe(kernel_pci_bus(), buf, sizeof(buf));
    shell_printf(s, "%s", buf);
    blockdev_describe(buf, sizeof(buf));
    shell_printf(s, "block devices:\n%s", buf);
    return 0;
}

static void dmesg_line(void *ctx, const struct klog_record *r)
{
    shell_printf(ctx, "[%5llu.%06llu] %-7s %s: %s\n",
                 (unsigned long long)(r->time_ns / 1000000000u),
                 (unsigned long long)(r->time_ns % 1000000000u / 1000u), klog_level_name(r->level),
                 r->subsys, r->text);
}

static int cmd_dmesg(struct shell *s, int argc, char **argv)
{
    int level = KLOG_DEBUG;
    if (argc == 3 && strcmp(argv[1], "-l") == 0)
        level = klog_parse_level(argv[2]);
    else if (argc != 1)
        level = -2;
    if (level == -2) {
        shell_eprintf(s, "usage: dmesg [-l LEVEL]\n");
        return 2;
    }
    if (level < 0) {
        shell_eprintf(s,
                      "dmesg: %s: not a level (0-7 or emerg, alert, crit, err, warning, "
                      "notice, info, debug)\n",
                      argv[2]);
        return 2;
    }
    klog_read(level, dmesg_line, s);
    return 0;
}

static int cmd_ktest(struct shell *s, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(s, "ktest");
    int passed, failed;
    ktest_run(argc == 2 ? argv[1] : "", &passed, &failed);
    return failed ? 1 : 0;
}

static struct block_device *device_arg(struct shell *s, const char *cmd, const char *arg)
{
    const char *name = strncmp(arg, "/dev/", 5) == 0 ? arg + 5 : arg;
    struct block_device *d = blockdev_find(name);
    if (!d)
        shell_eprintf(s, "%s: %s: no such block device\n", cmd, arg);
    return d;
}

struct find_mount {
    struct block_device *dev;
    struct vfs_mount *mnt;
};

static void find_mount(struct vfs_mount *m, void *arg)
{
    struct find_mount *f = arg;
    if (sfs_vfs_device(m) == f->dev)
        f->mnt = m;
}

static void fsck_line(void *ctx, const char *line)
{
    shell_printf(ctx, "fsck: %s\n", line);
}

static int cmd_fsck(struct shell *s, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(s, "fsck");
    struct block_device *d = device_arg(s, "fsck", argv[1]);
    if (!d)
        return 1;
    long r = sfs_vfs_check(d, fsck_line, s); /* the live volume if mounted, under the VFS lock */
    if (r < 0) {
        shell_eprintf(s, "fsck: %s: %s\n", argv[1], k_strerror((int)r));
        return 8;
    }
    shell_printf(s, "fsck: %s: %s, %ld problem%s\n", argv[1], r ? "NOT clean" : "clean", r,
                 r == 1 ? "" : "s");
    return r ? 4 : 0;
}

static int cmd_mkfs(struct shell *s, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(s, "mkfs");
    struct block_device *d = device_arg(s, "mkfs", argv[1]);
    if (!d)
        return 1;
    struct find_mount f = { d, NULL };
    vfs_for_each_mount(find_mount, &f);
    if (f.mnt) {
        shell_eprintf(s, "mkfs: %s: mounted on %s; unmount it first\n", argv[1], f.mnt->path);
        return 1;
    }
    int err = sfs_vfs_format(d);
    if (err) {
        shell_eprintf(s, "mkfs: %s: %s\n", argv[1], k_strerror(err));
        return 1;
    }
    shell_printf(s, "mkfs: %s: formatted with SFS (%llu MiB)\n", argv[1],
                 (unsigned long long)(d->block_count * d->block_size >> 20));
    return 0;
}

static int cmd_shutdown(struct shell *s, int argc, char **argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    vfs_ctx_release(&shell_vfs);
    kernel_power_down(KERNEL_POWER_OFF);
}

static int cmd_reboot(struct shell *s, int argc, char **argv)
{
    (void)s;
    (void)argc;
    (void)argv;
    vfs_ctx_release(&shell_vfs);
    kernel_power_down(KERNEL_RESTART);
}

static const struct shell_cmd kernel_cmds[] = {
    { "uname", cmd_uname, "show the system name and version", "uname\n" },
    { "uptime", cmd_uptime, "time since boot", "uptime\n" },
    { "date", cmd_date, "the date and time (UTC)",
      "date\nThe wall-clock time, from the RTC read at boot.\n" },
    { "ps", cmd_ps, "list threads", "ps\nID, name, state and CPU ticks of every thread.\n" },
    { "mem", cmd_mem, "memory statistics", "mem\nPhysical frames and kernel heap.\n" },
    { "lspci", cmd_lspci, "list PCI devices", "lspci\n" },
    { "devices", cmd_devices, "list devices and drivers",
      "devices\nPCI devices with their bound driver, and the block devices.\n" },
    { "dmesg", cmd_dmesg, "show the kernel log",
      "dmesg [-l LEVEL]\nThe kernel's messages since boot, with their time, level and subsystem;\n"
      "-l shows LEVEL and more important ones (0-7 or emerg ... debug).\n" },
    { "log", cmd_dmesg, "show the kernel log (as dmesg)", "log [-l LEVEL]\nThe same as dmesg.\n" },
    { "ktest", cmd_ktest, "run in-kernel tests",
      "ktest [NAME]\nRun every in-kernel test, or those whose name contains NAME.\n" },
    { "fsck", cmd_fsck, "check an SFS file system",
      "fsck DEVICE\nCheck the SFS volume on DEVICE (e.g. /dev/vda), mounted or not.\n" },
    { "mkfs", cmd_mkfs, "make an SFS file system",
      "mkfs DEVICE\nFormat DEVICE (e.g. /dev/vdb) with SFS. Everything on it is lost.\n" },
    { "shutdown", cmd_shutdown, "sync, unmount and power off", "shutdown\n" },
    { "reboot", cmd_reboot, "sync, unmount and restart", "reboot\n" },
};

static void shell_thread(void *arg)
{
    (void)arg;
    shell_run(&sh);
    kprintf("shell: exited\n");
}

int kshell_start(void)
{
    vfs_ctx_init(&shell_vfs, kernel_vfs_ctx());
    env.vfs = &shell_vfs;
    struct shell_config cfg = { .io = &io,
                                .ctx = &env,
                                .prompt = shell_fs_prompt,
                                .complete_path = shell_fs_complete,
                                .open_output = shell_fs_open_output,
                                .run_program = kernel_run_program };
    int err = shell_init(&sh, &cfg);
    if (!err)
        err = shell_fs_register(&sh);
    if (!err)
        err = shell_register(&sh, kernel_cmds, sizeof(kernel_cmds) / sizeof(kernel_cmds[0]));
    if (err)
        return err;
    /* A roomy stack: commands keep path buffers on it. */
    struct thread *t = thread_create_stack("shell", shell_thread, NULL, 64 * 1024);
    if (!t)
        return -ENOMEM;
    thread_detach(t);
    return 0;
}
