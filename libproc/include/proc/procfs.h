/**
 * @file proc/procfs.h
 * @brief /proc: the kernel's state as files in Linux's formats, so programs
 * written for Linux (ps, free, uptime, mount, df, lspci, dmesg) read it as
 * they would there. docs/procfs.md lists every file and its format.
 *
 * Two layers:
 * - **Formatting** (procfs_fmt.c, also built for the host and unit-tested):
 *   plain functions that turn a filled-in struct into Linux's text. They know
 *   nothing of the process table or the hardware.
 * - **The tree** (procfs.c, kernel only): a synthetic file tree (vfs/synthfs.h)
 *   whose callbacks gather the data (the process table, the scheduler, the
 *   frame allocator, the kernel log, CPUID) and format it.
 *
 * What libproc cannot see, the kernel hands in through `struct procfs_config`:
 * memory figures beyond the frame allocator (the heap, the block cache) and the
 * PCI functions found at boot. A missing hook leaves its file out or its
 * figures 0.
 *
 * Load average: the kernel calls procfs_loadavg_tick() every
 * PROCFS_LOADAVG_PERIOD_MS; it counts the threads ready or running (the
 * sampler itself and the idle thread excluded) and folds the count into three
 * exponentially decayed averages, as Linux does every 5 seconds.
 *
 * Locking: the tree's callbacks run under the VFS's namespace lock (synthfs)
 * and copy other processes' fields with interrupts off (proc/proc.h).
 * procfs_init() runs once at boot; the load averages are written only by the
 * sampler thread and read with interrupts off. The formatting layer keeps no
 * state.
 */
#ifndef PROC_PROCFS_H
#define PROC_PROCFS_H

#include <dev/pci.h>
#include <k/klog.h>
#include <mm/heap.h>
#include <stddef.h>
#include <stdint.h>
#include <vfs/synthfs.h>
#include <vfs/vfs.h>

/** @brief The "proc" file-system type, to register with vfs_register_fs(). */
extern const struct vfs_fs_type procfs_type;

#define PROCFS_MAGIC             0x9fa0u /**< Linux's PROC_SUPER_MAGIC (statfs f_type). */
#define PROCFS_USER_HZ           100     /**< Clock ticks per second in stat files (Linux's). */
#define PROCFS_LOADAVG_PERIOD_MS 5000    /**< How often the load average is sampled. */

/** @brief Memory figures for /proc/meminfo and sysinfo(2), in bytes. */
struct procfs_meminfo {
    uint64_t total;         /**< Usable RAM (the frame allocator's frames). */
    uint64_t free;          /**< Frames not in use. */
    uint64_t available;     /**< What could be had without swapping: free plus caches. */
    uint64_t buffers;       /**< Block caches of mounted disks. */
    uint64_t cached;        /**< File data held in memory (ramfs contents, program pages). */
    uint64_t inactive_file; /**< Of @ref cached, program pages no process maps now. */
    uint64_t shmem;         /**< Of @ref cached, what cannot be dropped (all of ramfs). */
    uint64_t slab;          /**< Kernel heap in use. */
    uint64_t kernel_stack;  /**< Kernel thread stacks. */
    uint64_t page_tables;   /**< Page-table frames: user address spaces' and the kernel's. */
    uint64_t heap_max;      /**< Kernel heap: its virtual range (VmallocTotal). */
    uint64_t heap_size; /**< Kernel heap: the part of the range backed by frames (VmallocUsed). */
};

/** @brief What the kernel supplies (procfs_init()). Every hook may be NULL. */
struct procfs_config {
    /** @brief Fill the figures (total and free are filled in before the call). */
    void (*meminfo)(struct procfs_meminfo *m);
    /** @brief The PCI functions found at boot. @return how many are at *@p devs */
    size_t (*pci_devices)(const struct pci_device **devs);
};

/**
 * @brief Set the hooks (copied). Call before /proc is mounted.
 * @param cfg the hooks, or NULL for none
 */
void procfs_init(const struct procfs_config *cfg);

/** @brief Sample the run queue into the load average (every PROCFS_LOADAVG_PERIOD_MS). */
void procfs_loadavg_tick(void);

/**
 * @brief The memory figures (the frame allocator's, then the kernel's hook).
 * @param m filled in
 */
void procfs_meminfo(struct procfs_meminfo *m);

/**
 * @brief The load averages now, as fixed-point numbers with
 * PROCFS_FSHIFT fractional bits.
 * @param avg filled with the 1, 5 and 15-minute averages
 */
void procfs_loadavg(uint64_t avg[3]);

/** @name Formatting (procfs_fmt.c) */
/** @{ */

#define PROCFS_FSHIFT  11                    /**< Fractional bits of a load average. */
#define PROCFS_FIXED_1 (1u << PROCFS_FSHIFT) /**< 1.0 in that fixed point. */

/**
 * @brief Fold one sample of the run queue into three load averages (Linux's
 * calc_load with decay factors for 1, 5 and 15 minutes at 5-second samples).
 * @param avg    the averages (fixed point), updated
 * @param active threads ready or running at the sample
 */
void procfs_loadavg_update(uint64_t avg[3], uint64_t active);

/**
 * @brief /proc/meminfo ("MemTotal:       16384 kB" ...).
 * @param b out @param m the figures @return @p b's error
 */
int procfs_fmt_meminfo(struct synthfs_buf *b, const struct procfs_meminfo *m);

/**
 * @brief /proc/slabinfo in Linux's version 2.1 format: one `kmalloc-N` row
 * per size class of the kernel heap (live objects, objects in its slabs, the
 * size, 4 KiB slabs), then `kmalloc-large` for the allocations above the
 * largest class (one per object, no slabs). The active objects of all rows
 * add up to the heap's live allocations.
 * @param b out @param hs the kernel heap's statistics
 * @return @p b's error
 */
int procfs_fmt_slabinfo(struct synthfs_buf *b, const struct mm_heap_stats *hs);

/**
 * @brief /proc/uptime: seconds up and seconds idle, two decimals each.
 * @param b out @param up_ns time since boot @param idle_ns time the CPU was idle
 * @return @p b's error
 */
int procfs_fmt_uptime(struct synthfs_buf *b, uint64_t up_ns, uint64_t idle_ns);

/**
 * @brief /proc/loadavg: "0.52 0.31 0.12 2/17 42".
 * @param b out @param avg the averages (fixed point) @param running threads runnable now
 * @param total threads that exist @param last_pid most recent pid
 * @return @p b's error
 */
int procfs_fmt_loadavg(struct synthfs_buf *b, const uint64_t avg[3], unsigned running,
                       unsigned total, int last_pid);

/**
 * @brief One line of /proc/mounts: "source dir type opts 0 0", with space,
 * tab, newline and backslash written as octal escapes (as Linux does).
 * @param b out @param source what is mounted @param dir where @param type fs type
 * @param flags VFS_MNT_* flags
 * @return @p b's error
 */
int procfs_fmt_mount(struct synthfs_buf *b, const char *source, const char *dir, const char *type,
                     uint32_t flags);

/** @brief The CPU as CPUID describes it (procfs_cpu_probe()). */
struct procfs_cpu {
    char vendor[13];     /**< "GenuineIntel", "AuthenticAMD", ... */
    char model_name[49]; /**< Brand string, spaces around it dropped ("" if none). */
    uint32_t max_leaf;   /**< Highest basic leaf. */
    uint32_t family;     /**< Family (with the extended family folded in). */
    uint32_t model;      /**< Model (with the extended model folded in). */
    uint32_t stepping;   /**< Stepping. */
    uint32_t edx1;       /**< Leaf 1 EDX feature bits. */
    uint32_t ecx1;       /**< Leaf 1 ECX feature bits. */
    uint32_t ebx7;       /**< Leaf 7 EBX feature bits. */
    uint32_t ecx7;       /**< Leaf 7 ECX feature bits. */
    uint32_t edx81;      /**< Leaf 0x80000001 EDX feature bits. */
    uint32_t ecx81;      /**< Leaf 0x80000001 ECX feature bits. */
    uint32_t clflush;    /**< CLFLUSH line size in bytes. */
    uint32_t phys_bits;  /**< Physical address bits (36 if unknown). */
    uint32_t virt_bits;  /**< Virtual address bits (48 if unknown). */
    uint64_t khz;        /**< Clock from the TSC calibration (0 unknown). */
    uint32_t processor;  /**< Logical CPU number (probe: 0). */
    uint32_t apicid;     /**< Its local APIC id (probe: 0). */
    uint32_t ncpus;      /**< CPUs online, shown as siblings and cores (probe: 1). */
};

/**
 * @brief Fill @p c from CPUID (as CPU 0 of 1: set processor, apicid and ncpus
 * afterwards for the others; every CPU is alike, so one probe serves all).
 * @param c     out
 * @param cpuid the instruction (cpu_cpuid() in the kernel; a fake in tests)
 * @param khz   the TSC rate in kHz
 */
void procfs_cpu_probe(struct procfs_cpu *c,
                      void (*cpuid)(uint32_t leaf, uint32_t sub, uint32_t out[4]), uint64_t khz);

/**
 * @brief /proc/cpuinfo for one processor.
 * @param b out @param c the CPU @return @p b's error
 */
int procfs_fmt_cpuinfo(struct synthfs_buf *b, const struct procfs_cpu *c);

/** @brief One process as its stat and status files show it. */
struct procfs_pid {
    int pid;               /**< Process id. */
    int ppid;              /**< Parent (0: the kernel). */
    int pgrp;              /**< Process group. */
    int session;           /**< Session. */
    char comm[16];         /**< Name. */
    char state;            /**< 'R', 'S', 'Z'... */
    uint64_t minflt;       /**< Page faults resolved. */
    uint64_t utime;        /**< CPU time in PROCFS_USER_HZ ticks. */
    uint64_t starttime;    /**< Start, in PROCFS_USER_HZ ticks since boot. */
    uint64_t vsize;        /**< Bytes mapped. */
    uint64_t rss_pages;    /**< Pages resident. */
    uint64_t shared_pages; /**< Of them, pages whose frame is shared (statm only). */
    uint64_t start_brk;    /**< Heap start. */
    uint64_t brk;          /**< Program break. */
    uint64_t sigpending;   /**< Pending signals (bit n-1 for signal n). */
    uint64_t sigblocked;   /**< Blocked. */
    uint64_t sigignored;   /**< Ignored. */
    uint64_t sigcaught;    /**< With a handler. */
    uint32_t umask;        /**< File-creation mask. */
    int exit_code;         /**< Wait status of a zombie, else 0. */
    int fds;               /**< Descriptors open. */
    uint32_t processor;    /**< CPU its thread runs on or last ran on. */
};

/**
 * @brief /proc/PID/stat: the 52 fields in Linux's order; what Kestrel lacks is 0.
 * @param b out @param p the process @return @p b's error
 */
int procfs_fmt_stat(struct synthfs_buf *b, const struct procfs_pid *p);

/**
 * @brief /proc/PID/status ("Name:\tsh" ...).
 * @param b out @param p the process @return @p b's error
 */
int procfs_fmt_status(struct synthfs_buf *b, const struct procfs_pid *p);

/**
 * @brief /proc/PID/statm: sizes in pages: size, resident, shared (resident
 * pages whose frame is shared: the program's file pages, copy-on-write after
 * fork), then zeros.
 * @param b out @param p the process @return @p b's error
 */
int procfs_fmt_statm(struct synthfs_buf *b, const struct procfs_pid *p);

/**
 * @brief One line of /proc/bus/pci/devices: bus and devfn, vendor and device,
 * IRQ, the six BARs and the ROM as address|flags, their sizes, the driver.
 * @param b out @param d the function @param driver bound driver's name or NULL
 * @return @p b's error
 */
int procfs_fmt_pci(struct synthfs_buf *b, const struct pci_device *d, const char *driver);

/**
 * @brief One kernel-log record as syslog(2) and /proc/kmsg give it:
 * "<level>[seconds.micros] subsystem: message\n".
 * @param b out @param r the record @return @p b's error
 */
int procfs_fmt_klog(struct synthfs_buf *b, const struct klog_record *r);

#define PROCFS_STAT_CPUS 16 /**< CPUs /proc/stat lists (cpu0 ... cpu15). */

/** @brief System-wide counters for /proc/stat. */
struct procfs_stat {
    unsigned ncpus;                  /**< CPUs in busy[] and idle[] (at most PROCFS_STAT_CPUS). */
    uint64_t busy[PROCFS_STAT_CPUS]; /**< Each CPU's time not in its idle thread, since boot,
                                          exited threads' included (PROCFS_USER_HZ ticks). */
    uint64_t idle[PROCFS_STAT_CPUS]; /**< Each CPU's idle-thread time (PROCFS_USER_HZ ticks). */
    uint64_t switches;               /**< Context switches since boot. */
    uint64_t boot_time;              /**< Boot time, seconds since the Unix epoch (0 unknown). */
    uint64_t forks;                  /**< Processes created since boot. */
    unsigned running;                /**< Threads ready or running. */
};

/**
 * @brief /proc/stat: the "cpu" line (the sum) and one "cpuN" line per CPU, in
 * Linux's ten columns (busy time counted as user time: no split is kept),
 * then intr, ctxt, btime, processes, procs_running, procs_blocked.
 * @param b out @param s the counters @return @p b's error
 */
int procfs_fmt_stat_all(struct synthfs_buf *b, const struct procfs_stat *s);

/**
 * @brief Name of a process state for status ("S (sleeping)").
 * @param state 'R', 'S', 'D', 'Z', 'T' or other
 * @return a static string
 */
const char *procfs_state_name(char state);
/** @} */

#endif
