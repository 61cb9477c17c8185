# In-kernel tests, linked into kernel.elf as plain objects (see mk/kernel.mk).
KTEST_SRCS := \
	tests/ktest/bench_fs.c \
	tests/ktest/bench_smp.c \
	tests/ktest/bench_virtio.c \
	tests/ktest/test_apic.c \
	tests/ktest/test_boot.c \
	tests/ktest/test_console.c \
	tests/ktest/test_harness.c \
	tests/ktest/test_libc.c \
	tests/ktest/test_mm.c \
	tests/ktest/test_sched.c \
	tests/ktest/test_sched_smp.c \
	tests/ktest/test_smp.c \
	tests/ktest/test_tlb.c \
	tests/ktest/test_traps.c \
	tests/ktest/test_tty.c \
	tests/ktest/test_virtio_blk.c
KTEST_OBJS := $(patsubst %,$(KBUILD)/%.o,$(KTEST_SRCS))
ALL_OBJS += $(KTEST_OBJS)
# In-kernel tests are kernel code: they see what the kernel module sees.
$(KTEST_OBJS): MOD_INCLUDES = $(kernel_INCLUDES)
