/*
 * procinfo.c - the kernel's side of /proc (kernel/procinfo.h): memory figures
 * from the heap, the scheduler and the mounted file systems; the PCI list from
 * devices.c; and a thread that samples the run queue every 5 seconds for the
 * load average.
 *
 * The meminfo hook runs inside a /proc callback, so with the VFS's namespace
 * lock held: it walks the mounts with vfs_for_each_mount_locked().
 */
#include <k/errno.h>
#include <kernel/devices.h>
#include <kernel/procinfo.h>
#include <mm/heap.h>
#include <mm/mm.h>
#include <proc/procfs.h>
#include <sched/thread.h>
#include <vfs/ramfs.h>
#include <vfs/sfs_vfs.h>

#define KERNEL_STACK_SIZE (16 * 1024) /* threads.c's sched_config.stack_size */
#define THREADS_MAX       128

static void count_mount(struct vfs_mount *m, void *arg)
{
    struct procfs_meminfo *mi = arg;
    mi->buffers += sfs_vfs_cache_bytes(m);
    if (m->type == &ramfs_type && m->type->statfs) {
        struct vfs_statfs st = { 0 };
        if (m->type->statfs(m, &st) == 0) {
            uint64_t used = (st.blocks - st.blocks_free) * st.block_size;
            mi->cached += used; /* file data in memory that cannot be dropped */
            mi->shmem += used;
        }
    }
}

static void meminfo(struct procfs_meminfo *m)
{
    struct mm_heap_stats hs;
    mm_heap_get_stats(mm_kheap(), &hs);
    m->slab = hs.in_use;
    m->heap_size = hs.heap_size;
    m->heap_max = MM_KHEAP_MAX;
    /* The kernel's tables too, as Linux counts them: mapping the heap, a
     * stack or a device into a new 2 MiB range takes one for good. */
    m->page_tables += mm_aspace_table_frames(mm_kernel_aspace()) * MM_PAGE_SIZE;
    struct thread_info *t = kmalloc(THREADS_MAX * sizeof(*t));
    if (t) {
        int n = sched_snapshot(t, THREADS_MAX);
        m->kernel_stack = (uint64_t)n * KERNEL_STACK_SIZE;
        kfree(t);
    }
    vfs_for_each_mount_locked(count_mount, m);
}

static size_t pci_devices(const struct pci_device **devs)
{
    size_t n;
    *devs = kernel_pci_devices(&n);
    return n;
}

static void sampler(void *arg)
{
    (void)arg;
    for (;;) {
        thread_sleep_ms(PROCFS_LOADAVG_PERIOD_MS);
        procfs_loadavg_tick();
    }
}

int kernel_procinfo_init(void)
{
    static const struct procfs_config cfg = { .meminfo = meminfo, .pci_devices = pci_devices };
    procfs_init(&cfg);
    struct thread *t = thread_create("loadavg", sampler, NULL);
    if (!t)
        return -ENOMEM;
    thread_detach(t);
    return 0;
}
