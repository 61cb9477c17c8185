/*
 * power.c - the way down (kernel/power.h): sync and unmount, then power off,
 * halt or restart. Processes are gone by then: reboot(2) closed every
 * process's files (libproc) and init stopped the processes before calling it.
 */
#include <arch/cpu.h>
#include <arch/qemu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <kernel/fs.h>
#include <kernel/power.h>

/* Linux's reboot(2) commands (include/uapi/linux/reboot.h). */
#define CMD_RESTART   0x01234567u
#define CMD_HALT      0xcdef0123u
#define CMD_POWER_OFF 0x4321fedcu
#define CMD_CAD_ON    0x89abcdefu
#define CMD_CAD_OFF   0x00000000u

static __attribute__((noreturn)) void restart(void)
{
    cpu_cli();
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++) /* wait for the 8042 */
        cpu_pause();
    outb(0x64, 0xfe); /* pulse the reset line */
    /* Still here: a triple fault, through an empty IDT. */
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) none = { 0, 0 };
    __asm__ volatile("lidt %0; int3" : : "m"(none));
    cpu_halt_forever();
}

static __attribute__((noreturn)) void power_off(void)
{
    cpu_cli();
    outl(QEMU_EXIT_PORT, QEMU_EXIT_SUCCESS); /* QEMU's isa-debug-exit */
    /* No such device: ACPI S5 (SLP_TYP 5 | SLP_EN) on the PM1a control port
     * of QEMU's chipsets, newer machine types first, then Bochs's. */
    outw(0x604, 0x2000);
    outw(0xb004, 0x2000);
    kprintf("power: still running; it is now safe to switch the machine off\n");
    cpu_halt_forever();
}

void kernel_power_down(enum kernel_power_action action)
{
    kprintf("power: syncing and unmounting file systems\n");
    int err = kernel_fs_shutdown();
    if (err)
        kprintf("power: warning: %s\n", k_strerror(err));
    if (action == KERNEL_RESTART) {
        kprintf("power: restarting\n");
        restart();
    }
    kprintf("power: %s\n", action == KERNEL_HALT ? "halt" : "power off");
    power_off();
}

int kernel_reboot(int cmd)
{
    switch ((unsigned)cmd) {
    case CMD_RESTART:
        kernel_power_down(KERNEL_RESTART);
    case CMD_HALT:
        kernel_power_down(KERNEL_HALT);
    case CMD_POWER_OFF:
        kernel_power_down(KERNEL_POWER_OFF);
    case CMD_CAD_ON:
    case CMD_CAD_OFF:
        return 0;
    default:
        return -EINVAL;
    }
}
