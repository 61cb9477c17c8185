# mk/fuse.mk - sfs-fuse's tests and benchmark (docs/fuse.md). The program
# itself is built by tools/module.mk.
#
#   make check-fuse   mount tests: a real tree, fsx, fsdiff against tmpfs, SIGKILL, bad images
#                     (part of make check)
#   make bench-fuse   sfs-fuse against fuse2fs side by side, then fsx for 10^6 operations
#                     (part of make bench)

FSX := $(BUILD)/tests/fuse/fsx
$(FSX): tests/fuse/fsx.c
	@mkdir -p $(@D)
	$(Q)echo "  TOOLCC  $@"
	$(Q)$(HCC) $(TCFLAGS) -o $@ $<

FUSE_TEST_DEPS := $(BINDIR)/sfs-fuse $(BINDIR)/mkfs.sfs $(BINDIR)/fsck.sfs $(FSX)
# The differential POSIX test (tests/posix/), run through a mount.
FUSE_TEST_DEPS += $(fsdiff_TEST_BIN)
# The kernel-made tree: Kestrel boots on an SFS disk and its shell writes files.
FUSE_CHECK_DEPS := $(FUSE_TEST_DEPS) $(KERNEL_ELF) $(INITRD)

.PHONY: check-fuse bench-fuse
check-fuse: $(FUSE_CHECK_DEPS)
	$(Q)KESTREL_BUILD=$(BUILD) $(PYTHON) -m unittest tests/fuse/test_fuse.py -v

bench-fuse: $(FUSE_TEST_DEPS)
	$(Q)$(PYTHON) tests/fuse/bench_fuse.py --bin $(BINDIR) --fsx $(FSX)
