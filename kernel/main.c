/*
 * main.c - kmain(): wire the libraries together and start the system.
 *
 * Called by libarch/boot.S in 64-bit mode on the boot stack, with the multiboot2
 * magic and the physical address of the loader's information block. The first
 * GiB is identity-mapped and physical [0, 16 MiB) is mapped at KERNEL_VMA until
 * mm_init() replaces both with the direct map and the kernel's own tables.
 */
#include <k/cmdline.h>
#include <k/console.h>
#include <k/klog.h>
#include <arch/spinlock.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <k/kprintf.h>
#include <arch/layout.h>
#include <arch/multiboot2.h>
#include <arch/panic.h>
#include <arch/pic.h>
#include <arch/qemu.h>
#include <arch/ksyms.h>
#include <arch/rtc.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <dev/kbd.h>
#include <dev/serial.h>
#include <dev/vga.h>
#include <mm/mm.h>
#include <kernel/boot.h>
#include <kernel/cpus.h>
#include <kernel/devices.h>
#include <kernel/fbconsole.h>
#include <kernel/fs.h>
#include <kernel/kbench.h>
#include <kernel/procs.h>
#include <k/errno.h>
#include <kernel/ktest.h>
#include <kernel/selftest.h>
#include <kernel/threads.h>
#include <kernel/tty.h>
#include <kernel/version.h>
#include <sched/thread.h>

/* The identity map set up by boot.S covers the first GiB. */
#define BOOT_IDENTITY_LIMIT (1ull << 30)
#define MB2_INFO_MAX        (1u << 20)

void kmain(uint32_t magic, uint32_t info_phys);

static struct serial_port com1;
static struct vga screen;
static struct kbd keyboard;
static struct boot_info boot_info;

const struct boot_info *kernel_boot_info(void)
{
    return &boot_info;
}

/* libk's console registry and every kprintf() line: irqsave, as interrupt
 * handlers print too. The innermost lock: taken under any other, and nothing
 * is taken under it but the consoles' own output. */
static struct spinlock console_spinlock = SPINLOCK_INIT("console");

static void console_init(void)
{
    console_set_lock(&spin_irq_lock_ops, &console_spinlock);
    if (serial_init(&com1, SERIAL_COM1, 115200) == 0)
        console_register("com1", &serial_console_ops, &com1);
    vga_init(&screen, (volatile uint16_t *)(KERNEL_VMA + VGA_TEXT_PHYS), 1);
    console_register("vga", &vga_console_ops, &screen);
}

/* Once memory management is up: the loader's framebuffer, if it gave one,
 * replaces VGA text mode (which UEFI does not have). */
static const struct console_ops *screen_ops = &vga_console_ops;
static void *screen_ctx = &screen;

static void console_init_framebuffer(void)
{
    if (kernel_fbcon_init(&boot_info, &screen_ops, &screen_ctx) == 0)
        console_unregister(&vga_console_ops, &screen);
}

static void parse_boot_info(uint32_t magic, uint32_t info_phys)
{
    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("not started by a multiboot2 loader (magic %#x)", magic);
    if (info_phys == 0 || (info_phys & 7) || info_phys + 8ull > BOOT_IDENTITY_LIMIT)
        panic("multiboot2 information at %#x is not usable", info_phys);

    const void *info = (const void *)(uintptr_t)info_phys;
    uint64_t avail = BOOT_IDENTITY_LIMIT - info_phys;
    if (avail > MB2_INFO_MAX)
        avail = MB2_INFO_MAX;
    int err = mb2_parse(info, (size_t)avail, &boot_info);
    if (err)
        panic("malformed multiboot2 information (error %d)", err);
    boot_info.info_phys = info_phys;
}

void kernel_print_boot_summary(const struct boot_info *bi)
{
    kprintf("boot: firmware %s, loader \"%s\", command line \"%s\"\n", boot_info_firmware(bi),
            bi->loader, bi->cmdline);
    kprintf("boot: memory map (%u entries):\n", bi->mmap_count);
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct boot_mmap_entry *e = &bi->mmap[i];
        kprintf("  %016llx-%016llx %s\n", (unsigned long long)e->base,
                (unsigned long long)(e->base + e->length - 1), mb2_mem_type_name(e->type));
    }
    uint64_t avail = boot_info_mem_available(bi);
    kprintf("boot: memory: %llu MiB available\n", (unsigned long long)(avail >> 20));
    kprintf("boot: kernel: physical %#llx-%#llx, virtual %p-%p (%llu KiB)\n",
            (unsigned long long)(uintptr_t)_kernel_phys_start,
            (unsigned long long)kernel_image_phys(_kernel_end), (void *)_kernel_start,
            (void *)_kernel_end,
            (unsigned long long)(kernel_image_phys(_kernel_end) - (uintptr_t)_kernel_phys_start) /
                1024);
    if (bi->has_framebuffer)
        kprintf("boot: framebuffer: %ux%u type %u at %#llx\n", bi->fb.width, bi->fb.height,
                bi->fb.type, (unsigned long long)bi->fb.addr);
    if (bi->rsdp_len)
        kprintf("boot: ACPI RSDP: version %u\n", bi->rsdp_version);
    for (uint32_t i = 0; i < bi->module_count; i++)
        kprintf("boot: module %u: %#x-%#x \"%s\"\n", i, bi->modules[i].start, bi->modules[i].end,
                bi->modules[i].name);
    if (bi->truncated)
        kprintf("boot: warning: some boot information did not fit and was cut\n");
}

static void panic_exit_qemu(void)
{
    qemu_exit(QEMU_EXIT_FAILURE);
}

#define SERIAL_COM1_IRQ 4

static void com1_irq(void *ctx, struct trap_frame *tf)
{
    (void)tf;
    if (serial_irq(ctx) > 0)
        kernel_tty_input();
}

/* The number given as "KEY=N" on the command line, else @p dflt. */
static uint32_t cmdline_number(const char *key, uint32_t dflt)
{
    char v[16];
    uint32_t n = dflt;
    if (cmdline_get(boot_info.cmdline, key, v, sizeof(v)) > 0) {
        n = 0;
        for (char *p = v; *p >= '0' && *p <= '9' && n < 1000000; p++)
            n = n * 10 + (uint32_t)(*p - '0');
    }
    return n;
}

/* The tick rate from "hz=N" on the command line, else the default. */
static uint32_t tick_rate(void)
{
    return cmdline_number("hz", PIT_DEFAULT_HZ);
}

/* Descriptor tables, exception handling, the interrupt controllers (the local
 * APIC and I/O APIC, or with "noapic" or without a MADT the 8259 PICs), the
 * tick, the clocks, COM1 and the keyboard. */
static void interrupts_init(void)
{
    gdt_init();
    idt_init();
    trap_set_guard_checker(mm_guard_page); /* boot, IST and thread stack guards */
    pic_init();
    irq_init();

    uint32_t rate = tick_rate();
    uint64_t tsc = timer_tsc_init();
    klog_set_clock(timer_now_ns);
    int apic = -ENODEV;
    if (cmdline_has(boot_info.cmdline, "noapic"))
        klogf(KLOG_DEBUG, "irq", "noapic: the 8259 PICs and the PIT\n");
    else
        apic = kernel_cpus_apic_init();
    if (apic == 0 && timer_apic_init(rate) < 0) {
        klogf(KLOG_WARNING, "timer", "the local APIC timer does not count; using the PIT\n");
        pit_init(rate);
    } else if (apic < 0) {
        pit_init(rate);
    }
    kprintf("timer: %s at %u Hz, TSC %llu.%03llu MHz\n", timer_source(), rate,
            (unsigned long long)(tsc / 1000), (unsigned long long)(tsc % 1000));
    struct rtc_time now;
    if (rtc_read(&now) == 0) {
        timer_set_epoch(rtc_to_epoch(&now));
        kprintf("rtc: %04d-%02d-%02d %02d:%02d:%02d UTC\n", now.year, now.month, now.day, now.hour,
                now.minute, now.second);
    } else {
        kprintf("rtc: unreadable; file times count seconds since boot\n");
    }
    if (com1.present) {
        irq_set_handler(SERIAL_COM1_IRQ, com1_irq, &com1);
        serial_enable_rx_irq(&com1);
        irq_unmask(SERIAL_COM1_IRQ);
    }
    kbd_init(&keyboard); /* read by the terminal's input task, not as a console */
    cpu_sti();
    kprintf("interrupts: %s, IRQs at vectors %d-%d, %s at %llu.%03llu Hz, keyboard on IRQ %d\n",
            irq_get_chip()->name, TRAP_IRQ_BASE, TRAP_IRQ_BASE + 15, timer_source(),
            (unsigned long long)(timer_rate_mhz() / 1000),
            (unsigned long long)(timer_rate_mhz() % 1000), KBD_IRQ);
}

extern const uint8_t __ksyms_start[], __ksyms_end[];

void kmain(uint32_t magic, uint32_t info_phys)
{
    /* The boot CPU holds the big kernel lock from the first line (arch/bkl.h):
     * it gives it up only to run user code or to halt. */
    arch_bkl_lock();
    ksym_set_table(__ksyms_start, (size_t)(__ksyms_end - __ksyms_start));
    console_init();
    kprintf("%s %s (x86_64) booting\n", KERNEL_NAME, KERNEL_VERSION);
    parse_boot_info(magic, info_phys);
    char level[16];
    if (cmdline_get(boot_info.cmdline, "loglevel", level, sizeof(level)) > 0) {
        int l = klog_parse_level(level);
        if (l < 0)
            kprintf("boot: loglevel=%s is not a level (0-7 or emerg..debug); keeping info\n",
                    level);
        else
            klog_set_console_level(l);
    }
    kernel_print_boot_summary(&boot_info);
    if (cmdline_has(boot_info.cmdline, "panic=exit"))
        panic_set_hook(panic_exit_qemu);

    int err = mm_init(&boot_info);
    if (err)
        panic("memory management failed to start: %d", err);
    console_init_framebuffer();
    kernel_cpus_discover(&boot_info);
    interrupts_init();
    /* "idlepoll=US": an idle CPU's longest spin for an interrupt (0: halt at once). */
    kernel_idle_poll_set(cmdline_number("idlepoll", IDLE_POLL_DEFAULT_MAX_NS / 1000u));
    err = kernel_threads_init(&keyboard);
    if (err)
        panic("the scheduler failed to start: %d", err);
    err = kernel_tty_init(&com1, screen_ops, screen_ctx, &keyboard);
    if (err)
        panic("the terminal failed to start: %d", err);
    mm_print_stats();
    kernel_devices_init();
    kernel_fs_init();
    err = kernel_procs_init();
    if (err)
        kprintf("proc: no user processes: %s\n", k_strerror(err));
    kernel_cpus_start_aps(&boot_info); /* after ring 3's set-up: the APs copy its CPU features */
    selftest_run(boot_info.cmdline);

    if (cmdline_has(boot_info.cmdline, "ktest"))
        ktest_run_all(boot_info.cmdline);
    if (cmdline_has(boot_info.cmdline, "kbench"))
        kbench_run_all(boot_info.cmdline);

    /* Process 1 takes over; this thread waits for it, and powers off if it
     * ever ends. */
    kernel_run_init(boot_info.cmdline);
}
