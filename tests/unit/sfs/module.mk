# Host unit tests for libsfs: one Check suite per layer, plus the RAM device mock.
TEST := sfs
TEST_SRCS := \
	tests/unit/sfs/main.c \
	tests/unit/sfs/sfs_test.c \
	tests/unit/sfs/test_super.c \
	tests/unit/sfs/test_alloc.c \
	tests/unit/sfs/test_file.c \
	tests/unit/sfs/test_dir.c \
	tests/unit/sfs/test_path.c \
	tests/unit/sfs/test_ops.c \
	tests/unit/sfs/test_inode.c \
	tests/unit/sfs/test_check.c \
	tests/unit/sfs/test_repair.c \
	tests/unit/sfs/test_bcache.c \
	tests/unit/sfs/test_writeback.c \
	tests/unit/sfs/test_errors.c \
	tests/unit/sfs/test_port.c \
	tests/unit/sfs/port_example.c \
	tests/unit/sfs/test_fuzz.c \
	tests/unit/sfs/test_recovery.c \
	tests/unit/sfs/test_powerloss.c \
	tests/unit/sfs/test_fixes.c \
	tests/unit/sfs/test_posix.c \
	tests/unit/sfs/test_errno.c \
	tests/unit/sfs/test_unlocked.c
TEST_LIBS := sfs
TEST_MOCKS := tests/mocks/sfs_ramdev.c
include mk/unittest.mk

# `make bench`: libsfs on a RAM device (optimised build, no sanitizers).
BENCH_SFS := $(BINDIR)/bench_sfs
BENCH_SFS_OBJS := $(TBUILD)/tests/bench/bench_sfs.c.o
$(BENCH_SFS): $(BENCH_SFS_OBJS) $(TBUILD)/libsfs.a
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) -o $@ $(BENCH_SFS_OBJS) $(TBUILD)/libsfs.a
BENCH_BINS += $(BENCH_SFS)
ALL_OBJS += $(BENCH_SFS_OBJS)

# `make bench`: libsfs's code size at plain -Os (the objects are built only
# for this row; tests/bench/sfs_size.sh prints it beside littlefs's figure).
SFS_OS_OBJS := $(patsubst %,$(BUILD)/bench/sfs-Os/%.o,$(sfs_HOST_SRCS))
$(SFS_OS_OBJS): $(BUILD)/bench/sfs-Os/%.o: %
	@mkdir -p $(@D)
	$(Q)echo "  CC -Os  $@"
	$(Q)$(HCC) $(CSTD) $(WARNINGS) -Os -MMD -MP -Ilibsfs/include -Ilibsfs -c $< -o $@
BENCH_SFS_SIZE := $(BINDIR)/bench_sfs_size
$(BENCH_SFS_SIZE): tests/bench/sfs_size.sh $(SFS_OS_OBJS)
	@mkdir -p $(@D)
	$(Q)echo "  GEN     $@"
	$(Q)printf '#!/bin/sh\nexec sh %s %s %s\n' '$(CURDIR)/tests/bench/sfs_size.sh' '$(HCC)' \
	    '$(abspath $(SFS_OS_OBJS))' > $@
	$(Q)chmod +x $@
BENCH_BINS += $(BENCH_SFS_SIZE)
ALL_OBJS += $(SFS_OS_OBJS)
