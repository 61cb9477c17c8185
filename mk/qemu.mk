# mk/qemu.mk - run and debug the system. tests/qemu/qemu.py is the one place that
# knows the QEMU command line (accelerator probe, devices, timeouts).

PYTHON   := /usr/bin/python3
QEMU_PY  := $(PYTHON) tests/qemu/qemu.py
DISK_IMG := $(BUILD)/disk.img
DISK_SIZE_MB := 64

# The disk is created (and formatted with SFS) once and never overwritten: the
# order-only prerequisite builds mkfs.sfs first without making the image stale.
$(DISK_IMG): | $(BINDIR)/mkfs.sfs
	@mkdir -p $(@D)
	$(Q)echo "  DISK    $@ ($(DISK_SIZE_MB) MiB, SFS)"
	$(Q)$(BINDIR)/mkfs.sfs $@ --size $(DISK_SIZE_MB)M >/dev/null

.PHONY: run debug _run _debug
run:
	$(Q)mk/bootstrap.sh run
	$(Q)$(MAKE) --no-print-directory _run

_run: $(OS_ISO) $(DISK_IMG)
	$(Q)$(QEMU_PY) run --iso $(OS_ISO) --disk $(DISK_IMG) $(if $(GUI),--gui)

debug:
	$(Q)mk/bootstrap.sh debug $(if $(GDB),debug-gdb)
	$(Q)$(MAKE) --no-print-directory _debug

_debug: $(OS_ISO) $(DISK_IMG)
	$(Q)$(QEMU_PY) debug --iso $(OS_ISO) --disk $(DISK_IMG) --elf $(KERNEL_ELF) $(if $(GUI),--gui) \
	    $(if $(GDB),--gdb)
