/*
 * procs.c - wire libproc into the kernel (kernel/procs.h): ring 3 set-up, the
 * hooks libproc needs (frames, time, randomness, also behind /dev/random),
 * and process 1.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <arch/user.h>
#include <k/cmdline.h>
#include <k/errno.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <kernel/fs.h>
#include <kernel/power.h>
#include <kernel/procs.h>
#include <kernel/tty.h>
#include <mm/mm.h>
#include <proc/proc.h>
#include <vfs/devfs.h>

/* Not a cryptographic generator: a xorshift stream seeded from the TSC,
 * stirred with the TSC again on every call. Good enough for AT_RANDOM's
 * stack-protector canary and getrandom() in a teaching system. Locking: its
 * callers (exec, getrandom, /dev/random) hold the big kernel lock; a thread
 * preempted in the middle only interleaves its stream with another's, which
 * costs nothing here. */
static uint64_t rng_state;

static void random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    rng_state ^= rdtsc() * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        p[i] = (uint8_t)(rng_state >> 24);
    }
}

int kernel_procs_init(void)
{
    struct arch_user_features f;
    arch_user_init(&f);
    rng_state = rdtsc() | 1;
    struct proc_config cfg = {
        .frames = mm_kernel_frames(),
        .kernel_as = mm_kernel_aspace(),
        .random = random_bytes,
        .now_ns = timer_now_ns,
        .realtime_s = timer_epoch,
        .reboot = kernel_reboot,
    };
    int err = proc_init(&cfg);
    devfs_set_random(random_bytes);
    if (!err)
        kprintf("proc: ring 3 ready (syscall and int 0x80; NX %s, SMEP %s, SMAP %s)\n",
                f.nx ? "on" : "off", f.smep ? "on" : "off", f.smap ? "on" : "off");
    return err;
}

/* Linux's candidates, in its order, when the command line names no init=. */
static const char *const init_paths[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };

/* Start @p path as the first process; its pid, or a negative errno when it
 * is not an executable file or could not be loaded. */
static int spawn_init(const char *path)
{
    struct vfs_stat st;
    int err = vfs_stat(kernel_vfs_ctx(), path, &st);
    if (err)
        return err;
    if (st.type != VFS_TYPE_FILE)
        return -EACCES;
    char *argv[] = { (char *)path, NULL };
    static char *const envp[] = { "HOME=/", "PATH=/bin:/sbin", "TERM=vt100", NULL };
    return proc_spawn(path, argv, envp, kernel_vfs_ctx(), "/dev/console");
}

void kernel_run_init(const char *cmdline)
{
    char given[128];
    const char *paths[1 + sizeof(init_paths) / sizeof(init_paths[0])];
    int n = 0;
    if (cmdline_get(cmdline, "init", given, sizeof(given)) == 0)
        paths[n++] = given;
    else
        for (size_t i = 0; i < sizeof(init_paths) / sizeof(init_paths[0]); i++)
            paths[n++] = init_paths[i];
    for (int i = 0; i < n; i++) {
        int pid = spawn_init(paths[i]);
        if (pid == -ENOENT)
            continue;
        if (pid < 0) {
            kprintf("init: cannot run %s: %s\n", paths[i], k_strerror(pid));
            continue;
        }
        klogf(KLOG_INFO, "init", "%s is process %d\n", paths[i], pid);
        int status = 0;
        int err = proc_wait(pid, &status);
        const char *why = err ? k_strerror(err) : proc_status_text(status);
        if (why)
            kprintf("init: %s ended: %s; powering off\n", paths[i], why);
        else
            kprintf("init: %s exited with status %d; powering off\n", paths[i],
                    (status >> 8) & 0xff);
        kernel_power_down(KERNEL_POWER_OFF);
    }
    kprintf("init: nothing to run as process 1 (tried %s%s): the initrd is missing or "
            "broken; powering off\n",
            paths[0], n > 1 ? " and the usual places" : "");
    kernel_power_down(KERNEL_POWER_OFF);
}
