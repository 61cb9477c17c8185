/*
 * qemu.c - exit QEMU through isa-debug-exit (arch/qemu.h).
 */
#include <arch/cpu.h>
#include <arch/qemu.h>

void qemu_exit(uint32_t code)
{
    outl(QEMU_EXIT_PORT, code);
    /* Still here: no debug-exit device (real hardware, or another emulator). */
    cpu_halt_forever();
}
