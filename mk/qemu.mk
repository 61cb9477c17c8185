# mk/qemu.mk - run and debug the system. tests/qemu/qemu.py is the one place that
# knows the QEMU command line (accelerator probe, devices, timeouts).
#
#   make run            BIOS, VGA text console      make run UEFI=1  OVMF (UEFI)
#   make run FB=1       BIOS with a VESA framebuffer console
#   GUI=1               show the screen (else the serial console only)
#   SMP=N               N CPUs (default 2; SMP=1 for one)
# UEFI=1 and FB=1 work for `make debug` too. Under UEFI the firmware's variable
# store is build/ovmf-vars.fd, a copy of Debian's OVMF_VARS_4M.fd.

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

RUN_ISO   = $(if $(FB),$(OS_ISO_FB),$(OS_ISO))
SMP      ?= 2
RUN_FLAGS = $(if $(GUI),--gui) $(if $(UEFI),--uefi) --smp $(SMP)

.PHONY: run debug _run _debug
run:
	$(Q)mk/bootstrap.sh run
	$(Q)$(MAKE) --no-print-directory _run

_run: $(RUN_ISO) $(DISK_IMG)
	$(Q)$(QEMU_PY) run --iso $(RUN_ISO) --disk $(DISK_IMG) $(RUN_FLAGS)

debug:
	$(Q)mk/bootstrap.sh debug $(if $(GDB),debug-gdb)
	$(Q)$(MAKE) --no-print-directory _debug

_debug: $(RUN_ISO) $(DISK_IMG)
	$(Q)$(QEMU_PY) debug --iso $(RUN_ISO) --disk $(DISK_IMG) --elf $(KERNEL_ELF) $(RUN_FLAGS) \
	    $(if $(GDB),--gdb)
