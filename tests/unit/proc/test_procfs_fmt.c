/*
 * test_procfs_fmt.c - /proc's formats (procfs_fmt.c, procfs_cpu.c), field by
 * field as Linux's tools parse them, and the load-average arithmetic against
 * the exponential it approximates.
 */
#include <check.h>
#include <math.h>
#include <proc/procfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static long live;

static void *t_alloc(size_t n)
{
    live++;
    return malloc(n);
}

static void t_free(void *p)
{
    live--;
    free(p);
}

static struct synthfs_buf b;

static void setup(void)
{
    struct vfs_config cfg = { .alloc = t_alloc, .free = t_free };
    ck_assert_int_eq(vfs_init(&cfg), 0);
    live = 0;
    memset(&b, 0, sizeof(b));
}

static void teardown(void)
{
    synthfs_buf_free(&b);
    ck_assert_int_eq(live, 0);
}

/* The buffer as a C string. */
static const char *text(void)
{
    ck_assert_int_eq(b.err, 0);
    synthfs_write(&b, "", 1);
    b.len--;
    return b.data;
}

static double load_value(uint64_t fixed)
{
    return (double)fixed / PROCFS_FIXED_1;
}

START_TEST(test_loadavg_follows_the_exponential)
{
    uint64_t avg[3] = { 0, 0, 0 };
    for (int i = 0; i < 60; i++) /* five minutes of one busy thread */
        procfs_loadavg_update(avg, 1);
    ck_assert_double_eq_tol(load_value(avg[0]), 1 - exp(-5.0), 0.02);
    ck_assert_double_eq_tol(load_value(avg[1]), 1 - exp(-1.0), 0.02);
    ck_assert_double_eq_tol(load_value(avg[2]), 1 - exp(-1.0 / 3), 0.02);
    for (int i = 0; i < 2000; i++) /* long enough: it reaches the count exactly */
        procfs_loadavg_update(avg, 3);
    ck_assert_uint_eq(avg[0], 3 * PROCFS_FIXED_1);
    for (int i = 0; i < 12; i++) /* one idle minute: load1 falls by 1/e */
        procfs_loadavg_update(avg, 0);
    ck_assert_double_eq_tol(load_value(avg[0]), 3 * exp(-1.0), 0.03);
    ck_assert_uint_lt(avg[0], avg[1]);
    ck_assert_uint_lt(avg[1], avg[2]);
}
END_TEST

START_TEST(test_loadavg_format)
{
    uint64_t avg[3] = { PROCFS_FIXED_1 / 2, 3 * PROCFS_FIXED_1 + PROCFS_FIXED_1 / 4, 0 };
    procfs_fmt_loadavg(&b, avg, 2, 17, 42);
    ck_assert_str_eq(text(), "0.50 3.25 0.00 2/17 42\n");
}
END_TEST

START_TEST(test_meminfo_columns)
{
    struct procfs_meminfo m = { .total = 256ull << 20,
                                .free = 200ull << 20,
                                .available = 200ull << 20,
                                .buffers = 1 << 20,
                                .cached = 3 << 20,
                                .shmem = 3 << 20,
                                .slab = 5 << 20,
                                .kernel_stack = 96 << 10,
                                .page_tables = 8192,
                                .inactive_file = 2 << 20,
                                .heap_max = 64 << 20,
                                .heap_size = 3 << 20 };
    procfs_fmt_meminfo(&b, &m);
    const char *t = text();
    ck_assert_int_eq(strncmp(t, "MemTotal:         262144 kB\n", 28), 0);
    ck_assert_ptr_nonnull(strstr(t, "\nMemFree:          204800 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nMemAvailable:     204800 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nBuffers:            1024 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nCached:             3072 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nSwapTotal:             0 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nInactive(file):     2048 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nSUnreclaim:         5120 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nKernelStack:          96 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nPageTables:            8 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nVmallocTotal:      65536 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nVmallocUsed:        3072 kB\n"));
    int lines = 0;
    for (const char *p = t; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 18);
}
END_TEST

START_TEST(test_slabinfo_rows_add_up_to_live_allocations)
{
    struct mm_heap_stats hs = { .live = 12 };
    hs.class_size[0] = 16;
    hs.class_live[0] = 3;
    hs.class_free[0] = 253;
    hs.class_slabs[0] = 1;
    hs.class_size[1] = 2048;
    hs.class_live[1] = 4;
    hs.class_free[1] = 0;
    hs.class_slabs[1] = 2;
    procfs_fmt_slabinfo(&b, &hs);
    const char *t = text();
    ck_assert_int_eq(strncmp(t, "slabinfo - version: 2.1\n# name ", 31), 0);
    ck_assert_ptr_nonnull(strstr(t, "\nkmalloc-16             3    256     16  256    1 : tunables"
                                    "    0    0    0 : slabdata      1      1      0\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nkmalloc-2048           4      4   2048    2    1 : "));
    /* 12 live, 7 of them in classes: 5 large ones, one object each */
    ck_assert_ptr_nonnull(strstr(t, "\nkmalloc-large          5      5      0    1    0 : "));
    hs.live = 2; /* fewer than the classes hold (a snapshot in motion): never negative */
    b.len = 0;
    procfs_fmt_slabinfo(&b, &hs);
    ck_assert_ptr_nonnull(strstr(text(), "\nkmalloc-large          0      0"));
}
END_TEST

START_TEST(test_system_stat)
{
    struct procfs_stat st = { .ncpus = 1,
                              .busy = { 120 },
                              .idle = { 3456 },
                              .switches = 789,
                              .boot_time = 1790000000,
                              .forks = 12,
                              .running = 2 };
    procfs_fmt_stat_all(&b, &st);
    ck_assert_str_eq(text(), "cpu  120 0 0 3456 0 0 0 0 0 0\n"
                             "cpu0 120 0 0 3456 0 0 0 0 0 0\n"
                             "intr 0\nctxt 789\nbtime 1790000000\nprocesses 12\n"
                             "procs_running 2\nprocs_blocked 0\n");
}
END_TEST

/* Linux's layout with several CPUs: the sum first, then one line per CPU. */
START_TEST(test_system_stat_cpus)
{
    struct procfs_stat st = { .ncpus = 3, .busy = { 1, 20, 300 }, .idle = { 4000, 500, 60 } };
    procfs_fmt_stat_all(&b, &st);
    ck_assert_ptr_eq(strstr(text(), "cpu  321 0 0 4560 0 0 0 0 0 0\n"
                                    "cpu0 1 0 0 4000 0 0 0 0 0 0\n"
                                    "cpu1 20 0 0 500 0 0 0 0 0 0\n"
                                    "cpu2 300 0 0 60 0 0 0 0 0 0\nintr 0\n"),
                     text());
    /* A count past the array is clamped, never read beyond it. */
    synthfs_buf_free(&b);
    memset(&b, 0, sizeof(b));
    st.ncpus = 1000;
    procfs_fmt_stat_all(&b, &st);
    ck_assert_ptr_nonnull(strstr(text(), "\ncpu15 0 0 0 0 0 0 0 0 0 0\nintr"));
}
END_TEST

START_TEST(test_uptime)
{
    procfs_fmt_uptime(&b, 123456789012ull, 98765432100ull);
    ck_assert_str_eq(text(), "123.45 98.76\n");
}
END_TEST

START_TEST(test_mount_lines_and_escapes)
{
    procfs_fmt_mount(&b, "/dev/vda", "/", "sfs", 0);
    procfs_fmt_mount(&b, "proc", "/proc", "proc", VFS_MNT_NOSUID | VFS_MNT_NODEV | VFS_MNT_NOEXEC);
    procfs_fmt_mount(&b, "my disk", "/mnt/a\tb\\c\nd", "ramfs", VFS_MNT_RDONLY);
    ck_assert_str_eq(text(), "/dev/vda / sfs rw 0 0\n"
                             "proc /proc proc rw,nosuid,nodev,noexec 0 0\n"
                             "my\\040disk /mnt/a\\011b\\134c\\012d ramfs ro 0 0\n");
}
END_TEST

static const struct procfs_pid sample = {
    .pid = 42,
    .ppid = 1,
    .pgrp = 40,
    .session = 7,
    .comm = "sh",
    .state = 'S',
    .minflt = 99,
    .utime = 12,
    .starttime = 345,
    .vsize = 8 << 20,
    .rss_pages = 17,
    .start_brk = 0x404000,
    .brk = 0x425000,
    .sigpending = 0x100,
    .sigblocked = 0x2,
    .sigignored = 0x1000,
    .sigcaught = 0x10002,
    .umask = 022,
    .fds = 3,
};

/* Field @n (1-based) of a stat line. */
static const char *field(const char *line, int n, char *out, size_t size)
{
    char *copy = strdup(line), *save = NULL;
    char *tok = strtok_r(copy, " \n", &save);
    for (int i = 1; i < n && tok; i++)
        tok = strtok_r(NULL, " \n", &save);
    snprintf(out, size, "%s", tok ? tok : "");
    free(copy);
    return out;
}

START_TEST(test_stat_fields_in_linux_order)
{
    procfs_fmt_stat(&b, &sample);
    const char *t = text();
    char f[32];
    int n = 0;
    for (const char *p = t; *p; p++)
        n += *p == ' ';
    ck_assert_int_eq(n + 1, 52);
    ck_assert_str_eq(field(t, 1, f, sizeof(f)), "42");
    ck_assert_str_eq(field(t, 2, f, sizeof(f)), "(sh)");
    ck_assert_str_eq(field(t, 3, f, sizeof(f)), "S");
    ck_assert_str_eq(field(t, 4, f, sizeof(f)), "1");
    ck_assert_str_eq(field(t, 5, f, sizeof(f)), "40");
    ck_assert_str_eq(field(t, 6, f, sizeof(f)), "7");
    ck_assert_str_eq(field(t, 8, f, sizeof(f)), "-1"); /* tpgid: no terminal */
    ck_assert_str_eq(field(t, 10, f, sizeof(f)), "99");
    ck_assert_str_eq(field(t, 14, f, sizeof(f)), "12");
    ck_assert_str_eq(field(t, 18, f, sizeof(f)), "20");
    ck_assert_str_eq(field(t, 20, f, sizeof(f)), "1");
    ck_assert_str_eq(field(t, 22, f, sizeof(f)), "345");
    ck_assert_str_eq(field(t, 23, f, sizeof(f)), "8388608");
    ck_assert_str_eq(field(t, 24, f, sizeof(f)), "17");
    ck_assert_str_eq(field(t, 25, f, sizeof(f)), "18446744073709551615");
    ck_assert_str_eq(field(t, 31, f, sizeof(f)), "256");
    ck_assert_str_eq(field(t, 32, f, sizeof(f)), "2");
    ck_assert_str_eq(field(t, 33, f, sizeof(f)), "4096");
    ck_assert_str_eq(field(t, 34, f, sizeof(f)), "65538");
    ck_assert_str_eq(field(t, 38, f, sizeof(f)), "17");
    ck_assert_str_eq(field(t, 47, f, sizeof(f)), "4210688");
    ck_assert_str_eq(field(t, 52, f, sizeof(f)), "0");
}
END_TEST

START_TEST(test_status_and_statm)
{
    procfs_fmt_status(&b, &sample);
    const char *t = text();
    ck_assert_ptr_eq(strstr(t, "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\n"), t);
    ck_assert_ptr_nonnull(strstr(t, "\nPid:\t42\nPPid:\t1\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nUid:\t0\t0\t0\t0\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nNSpgid:\t40\nNSsid:\t7\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nVmSize:\t    8192 kB\nVmRSS:\t      68 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nVmData:\t     132 kB\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nThreads:\t1\nSigPnd:\t0000000000000100\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nSigCgt:\t0000000000010002\n"));
    synthfs_buf_free(&b);

    struct procfs_pid z = sample;
    z.state = 'Z';
    z.exit_code = 3 << 8;
    procfs_fmt_status(&b, &z);
    t = text();
    ck_assert_ptr_nonnull(strstr(t, "State:\tZ (zombie)\n"));
    ck_assert_ptr_null(strstr(t, "VmSize")); /* no memory left to show */
    synthfs_buf_free(&b);
    procfs_fmt_stat(&b, &z);
    char f[16];
    ck_assert_str_eq(field(text(), 52, f, sizeof(f)), "768");
    synthfs_buf_free(&b);

    procfs_fmt_statm(&b, &sample);
    ck_assert_str_eq(text(), "2048 17 0 0 0 0 0\n");
    synthfs_buf_free(&b);
    struct procfs_pid shared = sample;
    shared.shared_pages = 5;
    procfs_fmt_statm(&b, &shared);
    ck_assert_str_eq(text(), "2048 17 5 0 0 0 0\n");
}
END_TEST

START_TEST(test_state_names)
{
    ck_assert_str_eq(procfs_state_name('R'), "R (running)");
    ck_assert_str_eq(procfs_state_name('S'), "S (sleeping)");
    ck_assert_str_eq(procfs_state_name('D'), "D (disk sleep)");
    ck_assert_str_eq(procfs_state_name('T'), "T (stopped)");
    ck_assert_str_eq(procfs_state_name('Z'), "Z (zombie)");
    ck_assert_str_eq(procfs_state_name('?'), "X (dead)");
}
END_TEST

START_TEST(test_pci_line)
{
    struct pci_device d;
    memset(&d, 0, sizeof(d));
    d.bus = 0;
    d.slot = 4;
    d.func = 0;
    d.vendor_id = 0x1af4;
    d.device_id = 0x1001;
    d.irq_line = 11;
    d.bars[0] = (struct pci_bar){ .base = 0xc000, .size = 0x80, .type = PCI_BAR_IO };
    d.bars[1] = (struct pci_bar){ .base = 0xfebf1000, .size = 0x1000, .type = PCI_BAR_MEM32 };
    d.bars[4] = (struct pci_bar){
        .base = 0xfe000000, .size = 0x4000, .type = PCI_BAR_MEM64, .prefetchable = true
    };
    procfs_fmt_pci(&b, &d, "virtio-blk");
    ck_assert_str_eq(text(), "0020\t1af41001\tb"
                             "\t            c001\t        febf1000\t               0"
                             "\t               0\t        fe00000c\t               0"
                             "\t               0"
                             "\t              80\t            1000\t               0"
                             "\t               0\t            4000\t               0"
                             "\t               0\tvirtio-blk\n");
    synthfs_buf_free(&b);
    d.bus = 2;
    d.slot = 31;
    d.func = 7;
    d.irq_line = 0xff; /* none routed */
    procfs_fmt_pci(&b, &d, NULL);
    const char *t = text();
    ck_assert_int_eq(strncmp(t, "02ff\t1af41001\t0\t", 16), 0);
    ck_assert_int_eq(t[strlen(t) - 2], '\t'); /* an empty driver field */
}
END_TEST

START_TEST(test_klog_record)
{
    struct klog_record r = { .seq = 5, .time_ns = 1234567890ull, .level = 6, .subsys = "fs" };
    strcpy(r.text, "/ is SFS on vda");
    procfs_fmt_klog(&b, &r);
    r.time_ns = 123456ull * 1000000000u;
    r.level = 3;
    procfs_fmt_klog(&b, &r);
    ck_assert_str_eq(text(), "<6>[    1.234567] fs: / is SFS on vda\n"
                             "<3>[123456.000000] fs: / is SFS on vda\n");
}
END_TEST

/* A CPU for procfs_cpu_probe(): an Intel-like family 6 model 0x55 with a brand
 * string padded by spaces, or (when @p basic) one without extended leaves. */
static int basic;

static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)sub;
    memset(out, 0, 16);
    static const char brand[49] = "   Test CPU @ 2.00GHz                            ";
    switch (leaf) {
    case 0:
        out[0] = 13;
        memcpy(&out[1], "Genu", 4);
        memcpy(&out[3], "ineI", 4);
        memcpy(&out[2], "ntel", 4);
        break;
    case 1:
        out[0] = (0x5u << 16) | (0x6u << 8) | (0x5u << 4) | 0x4u; /* ext model 5, family 6 */
        out[1] = 8u << 8;                                         /* clflush 64 */
        out[2] = (1u << 0) | (1u << 20) | (1u << 31);             /* pni sse4_2 hypervisor */
        out[3] = (1u << 0) | (1u << 4) | (1u << 25) | (1u << 26); /* fpu tsc sse sse2 */
        break;
    case 7:
        out[1] = (1u << 5) | (1u << 7); /* avx2 smep */
        out[2] = 1u << 2;               /* umip */
        break;
    case 0x80000000u:
        out[0] = basic ? 0x80000000u : 0x80000008u;
        break;
    case 0x80000001u:
        out[2] = 1u << 0;                 /* lahf_lm */
        out[3] = (1u << 20) | (1u << 29); /* nx lm */
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u:
        memcpy(out, brand + 16 * (leaf - 0x80000002u), 16);
        break;
    case 0x80000008u:
        out[0] = (48u << 8) | 39u;
        break;
    }
}

START_TEST(test_cpu_probe_and_cpuinfo)
{
    struct procfs_cpu c;
    basic = 0;
    procfs_cpu_probe(&c, fake_cpuid, 2096463);
    ck_assert_str_eq(c.vendor, "GenuineIntel");
    ck_assert_uint_eq(c.family, 6);
    ck_assert_uint_eq(c.model, 0x55);
    ck_assert_uint_eq(c.stepping, 4);
    ck_assert_str_eq(c.model_name, "Test CPU @ 2.00GHz");
    ck_assert_uint_eq(c.phys_bits, 39);
    procfs_fmt_cpuinfo(&b, &c);
    const char *t = text();
    ck_assert_ptr_eq(strstr(t, "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                               "model\t\t: 85\nmodel name\t: Test CPU"),
                     t);
    ck_assert_ptr_nonnull(strstr(t, "\nstepping\t: 4\ncpu MHz\t\t: 2096.463\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nflags\t\t: fpu tsc sse sse2 nx lm pni sse4_2 hypervisor "
                                    "lahf_lm avx2 smep umip\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nbogomips\t: 4192.92\n"));
    ck_assert_ptr_nonnull(strstr(t, "\naddress sizes\t: 39 bits physical, 48 bits virtual\n"));
    ck_assert_ptr_nonnull(strstr(t, "\nclflush size\t: 64\n"));
    synthfs_buf_free(&b);

    basic = 1; /* no brand string, no address sizes: the defaults */
    procfs_cpu_probe(&c, fake_cpuid, 0);
    ck_assert_str_eq(c.model_name, "");
    ck_assert_uint_eq(c.phys_bits, 36);
    ck_assert_uint_eq(c.edx81, 0);
    procfs_fmt_cpuinfo(&b, &c);
    ck_assert_ptr_nonnull(strstr(text(), "model name\t: unknown\n"));
}
END_TEST

/* Another CPU of several: its number, APIC id and the count appear where
 * Linux puts them. */
START_TEST(test_cpuinfo_of_one_cpu_among_several)
{
    struct procfs_cpu c;
    basic = 0;
    procfs_cpu_probe(&c, fake_cpuid, 1000000);
    ck_assert_uint_eq(c.processor, 0);
    ck_assert_uint_eq(c.ncpus, 1);
    c.processor = 2;
    c.apicid = 5;
    c.ncpus = 4;
    procfs_fmt_cpuinfo(&b, &c);
    const char *t = text();
    ck_assert_ptr_eq(strstr(t, "processor\t: 2\n"), t);
    ck_assert_ptr_nonnull(strstr(t, "\nsiblings\t: 4\ncore id\t\t: 2\ncpu cores\t: 4\n"
                                    "apicid\t\t: 5\ninitial apicid\t: 5\n"));
}
END_TEST

static void family15(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)sub;
    memset(out, 0, 16);
    if (leaf == 0)
        out[0] = 1;
    else if (leaf == 1)
        out[0] = (0x6u << 16) | (0x1u << 20) | (0xfu << 8) | (0xbu << 4) | 1; /* AMD-style */
}

START_TEST(test_cpu_extended_family)
{
    struct procfs_cpu c;
    procfs_cpu_probe(&c, family15, 1000);
    ck_assert_uint_eq(c.family, 16);
    ck_assert_uint_eq(c.model, 0x6b);
    ck_assert_uint_eq(c.ebx7, 0); /* leaf 7 beyond max_leaf: not asked */
}
END_TEST

Suite *procfs_fmt_suite(void)
{
    Suite *s = suite_create("procfs_fmt");
    TCase *tc = tcase_create("procfs_fmt");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_loadavg_follows_the_exponential);
    tcase_add_test(tc, test_loadavg_format);
    tcase_add_test(tc, test_meminfo_columns);
    tcase_add_test(tc, test_slabinfo_rows_add_up_to_live_allocations);
    tcase_add_test(tc, test_uptime);
    tcase_add_test(tc, test_system_stat);
    tcase_add_test(tc, test_system_stat_cpus);
    tcase_add_test(tc, test_mount_lines_and_escapes);
    tcase_add_test(tc, test_stat_fields_in_linux_order);
    tcase_add_test(tc, test_status_and_statm);
    tcase_add_test(tc, test_state_names);
    tcase_add_test(tc, test_pci_line);
    tcase_add_test(tc, test_klog_record);
    tcase_add_test(tc, test_cpu_probe_and_cpuinfo);
    tcase_add_test(tc, test_cpu_extended_family);
    tcase_add_test(tc, test_cpuinfo_of_one_cpu_among_several);
    suite_add_tcase(s, tc);
    return s;
}
