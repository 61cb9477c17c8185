/**
 * @file kernel/power.h
 * @brief Take the machine down: sync and unmount every file system, then
 * power off, halt or restart. reboot(2) (through libproc's reboot hook) and
 * the boot path's last resort end here.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

/** @brief What kernel_power_down() does once the file systems are safe. */
enum kernel_power_action {
    KERNEL_POWER_OFF, /**< leave QEMU (isa-debug-exit), else ACPI S5, else halt */
    KERNEL_HALT,      /**< the same under QEMU: nothing is left to run */
    KERNEL_RESTART,   /**< pulse the 8042's reset line, else a triple fault */
};

/**
 * @brief Sync and unmount every file system, say so on the console, and do
 * @p action. Never returns.
 * @param action what to do once the disks are safe
 */
__attribute__((noreturn)) void kernel_power_down(enum kernel_power_action action);

/**
 * @brief libproc's reboot hook (struct proc_config): reboot(2)'s command after
 * the magic numbers were checked.
 * @param cmd LINUX_REBOOT_CMD_POWER_OFF, _HALT or _RESTART never return;
 *            _CAD_ON and _CAD_OFF are accepted and change nothing
 * @return 0 for CAD_ON/CAD_OFF, -EINVAL for an unknown command
 */
int kernel_reboot(int cmd);

#endif
