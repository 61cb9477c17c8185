# mk/bench.mk - `make bench`: benchmark tables (speed and memory targets live
# here, never in timed unit tests).

.PHONY: bench _bench
bench:
	$(Q)mk/bootstrap.sh bench
	$(Q)$(MAKE) --no-print-directory _bench

# The smallest multiboot2 kernel, booted through the same GRUB path as ours:
# the floor the boot-time benchmark compares against.
MINIMAL_ELF := $(BUILD)/bench/minimal.elf
$(MINIMAL_ELF): tests/bench/minimal/minimal.S tests/bench/minimal/minimal.ld
	@mkdir -p $(@D)
	$(Q)echo "  AS      $@"
	$(Q)$(HCC) -m32 -c $< -o $(@D)/minimal.o
	$(Q)$(KLD) -m elf_i386 -n -T tests/bench/minimal/minimal.ld -o $@ $(@D)/minimal.o

# The races against Linux run Kestrel's release kernel (PROFILE=release:
# -DNDEBUG, so no assert() and no lock-order checker on every spinlock), as
# the Linux they race is a production build; its initrd sits beside it.
# Boot time and the in-kernel benchmarks keep the default kernel.
BENCH_KERNEL := $(BUILD)/release/kernel.elf
.PHONY: bench-kernel
bench-kernel:
	$(Q)$(MAKE) --no-print-directory PROFILE=release BUILD=$(BUILD)/release \
	    $(BENCH_KERNEL) $(BUILD)/release/initrd.cpio

# Modules add benchmark programs to BENCH_BINS; each prints its own table.
_bench: $(KERNEL_ELF) $(OS_ISO) $(BENCH_BINS) $(MINIMAL_ELF) $(TOOL_BINS) $(USER_BENCH_BINS) \
		bench-kernel
	$(Q)for b in $(BENCH_BINS); do echo; echo "== $$b"; $$b || exit 1; done
	$(Q)echo; $(PYTHON) tests/bench/boot_time.py --iso $(OS_ISO) --minimal $(MINIMAL_ELF) --runs 5
	$(Q)echo; $(PYTHON) tests/bench/kernel_bench.py --kernel $(KERNEL_ELF)
	$(Q)echo; $(PYTHON) tests/bench/kernel_bench.py --kernel $(KERNEL_ELF) --smp 2 --filter smp_
	$(Q)echo; $(PYTHON) tests/bench/virtio_vs_linux.py --kernel $(BENCH_KERNEL)
	$(Q)echo; $(PYTHON) tests/bench/proc_vs_linux.py --kernel $(BENCH_KERNEL) \
		--bins $(BUILD)/user/bench --tools $(BUILD)/bin
	$(Q)echo; $(PYTHON) tests/bench/smp_vs_linux.py --kernel $(BENCH_KERNEL) \
		--bins $(BUILD)/user/bench --tools $(BUILD)/bin
	$(Q)echo; $(PYTHON) tests/bench/files_vs_linux.py --kernel $(BENCH_KERNEL) --tools $(BUILD)/bin
	$(Q)echo; $(MAKE) --no-print-directory bench-fuse
