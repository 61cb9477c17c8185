/*
 * layout.c - questions about the kernel image's layout (arch/layout.h). Kernel only.
 */
#include <arch/layout.h>

int kernel_image_guard_page(uintptr_t va)
{
    const char *guards[KERNEL_BOOT_GUARD_PAGES] = { boot_stack_guard, ist_double_fault_guard,
                                                    ist_nmi_guard, ist_machine_check_guard };
    for (int i = 0; i < KERNEL_BOOT_GUARD_PAGES; i++) {
        uintptr_t g = (uintptr_t)guards[i];
        if (va >= g && va < g + 4096)
            return 1;
    }
    return 0;
}
