/*
 * main.c - Check runner for libarch.
 */
#include <check.h>
#include <stdlib.h>

Suite *acpi_suite(void);
Suite *apic_suite(void);
Suite *bkl_suite(void);
Suite *ioapic_suite(void);
Suite *ksyms_suite(void);
Suite *lockorder_suite(void);
Suite *multiboot2_suite(void);
Suite *panic_suite(void);
Suite *pic_timer_suite(void);
Suite *rtc_suite(void);
Suite *smp_suite(void);
Suite *spinlock_suite(void);
Suite *trap_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(multiboot2_suite());
    srunner_add_suite(sr, acpi_suite());
    srunner_add_suite(sr, apic_suite());
    srunner_add_suite(sr, bkl_suite());
    srunner_add_suite(sr, ioapic_suite());
    srunner_add_suite(sr, ksyms_suite());
    srunner_add_suite(sr, lockorder_suite());
    srunner_add_suite(sr, panic_suite());
    srunner_add_suite(sr, pic_timer_suite());
    srunner_add_suite(sr, rtc_suite());
    srunner_add_suite(sr, smp_suite());
    srunner_add_suite(sr, spinlock_suite());
    srunner_add_suite(sr, trap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
