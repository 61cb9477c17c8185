# Top-level Makefile: one non-recursive build. The machinery lives in mk/; each
# library describes itself in a short module.mk (data only).
#
#   make            kernel + ISO          make run     boot it in QEMU
#   make check      every test            make debug   QEMU waiting for gdb
#   make coverage   host test coverage    make docs    Doxygen HTML
#   make bench      benchmark tables      make clean   remove build/

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

include mk/config.mk

# Libraries, lowest layer first: a module may only depend on modules above it in
# this list. Each adds itself to ALL_LIBS / KERNEL_LIBS / HOST_LIBS.
include libk/module.mk
include libarch/module.mk
include libmm/module.mk
include libsched/module.mk
include libdev/module.mk
include libsfs/module.mk
include libvfs/module.mk
include libproc/module.mk
include shell/module.mk
include kernel/module.mk

# Host programs (build/bin/): each adds itself to TOOL_BINS.
include tools/module.mk

# Host unit-test runners, in-kernel tests.
include tests/unit/k/module.mk
include tests/unit/arch/module.mk
include tests/unit/mm/module.mk
include tests/unit/sched/module.mk
include tests/unit/dev/module.mk
include tests/unit/vfs/module.mk
include tests/unit/proc/module.mk
include tests/unit/sfs/module.mk
include tests/posix/module.mk
include tests/unit/shell/module.mk
include tests/ktest/module.mk

include mk/rules.mk
include mk/font.mk
include mk/kernel.mk
include mk/iso.mk
include mk/qemu.mk
include mk/user.mk
include mk/userbin.mk
include mk/sh.mk
include mk/userbox.mk
include mk/initrd.mk
include mk/userbench.mk
include mk/test.mk
include mk/docs.mk
include mk/coverage.mk
include mk/bench.mk
include mk/layering.mk
include mk/fuse.mk

.PHONY: all _all clean deps
# Like run and check, a bare `make` first installs what it needs (musl-gcc for
# the initrd's programs, GRUB and xorriso for the ISO).
all:
	$(Q)mk/bootstrap.sh build iso
	$(Q)$(MAKE) --no-print-directory _all

_all: $(KERNEL_ELF) $(OS_ISO) $(TOOL_BINS)

clean:
	rm -rf $(BUILD)
