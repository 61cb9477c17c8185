TEST := arch
TEST_SRCS := \
	tests/unit/arch/main.c \
	tests/unit/arch/test_acpi.c \
	tests/unit/arch/test_apic.c \
	tests/unit/arch/test_bkl.c \
	tests/unit/arch/test_ioapic.c \
	tests/unit/arch/test_ksyms.c \
	tests/unit/arch/test_lockorder.c \
	tests/unit/arch/test_multiboot2.c \
	tests/unit/arch/test_panic.c \
	tests/unit/arch/test_pic_timer.c \
	tests/unit/arch/test_rtc.c \
	tests/unit/arch/test_smp.c \
	tests/unit/arch/test_spinlock.c \
	tests/unit/arch/test_trap.c
TEST_LIBS := arch
TEST_MOCKS := tests/mocks/cpu_mock.c
include mk/unittest.mk
