# The differential POSIX test: random file-system calls on libsfs and on the
# host's tmpfs, compared call by call (tests/posix/fsdiff.h). `make check`
# runs it with the unit tests (several seeds, a few thousand calls each);
# `make bench` runs the long mode.
TEST := fsdiff
TEST_SRCS := \
	tests/posix/fsdiff_main.c \
	tests/posix/fsdiff_ops.c \
	tests/posix/fsdiff_host.c \
	tests/posix/fsdiff_sfs.c
TEST_LIBS := sfs
TEST_MOCKS := tests/mocks/sfs_ramdev.c
include mk/unittest.mk

FSDIFF_LONG := $(BINDIR)/fsdiff_long
$(FSDIFF_LONG): $(fsdiff_TEST_BIN)
	@mkdir -p $(@D)
	$(Q)echo "  GEN     $@"
	$(Q)printf '#!/bin/sh\nexec %s --long\n' '$(abspath $(fsdiff_TEST_BIN))' > $@
	$(Q)chmod +x $@
BENCH_BINS += $(FSDIFF_LONG)
