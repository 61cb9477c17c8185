TEST := vfs
TEST_SRCS := \
	tests/unit/vfs/fixture.c \
	tests/unit/vfs/main.c \
	tests/unit/vfs/test_at.c \
	tests/unit/vfs/test_attr.c \
	tests/unit/vfs/test_cpio.c \
	tests/unit/vfs/test_devfs.c \
	tests/unit/vfs/test_devfs_direct.c \
	tests/unit/vfs/test_files.c \
	tests/unit/vfs/test_mount.c \
	tests/unit/vfs/test_mountopts.c \
	tests/unit/vfs/test_sfs_vfs.c \
	tests/unit/vfs/test_synthfs.c \
	tests/unit/vfs/test_walk.c
TEST_LIBS := vfs
TEST_MOCKS := tests/mocks/cpu_mock.c
include mk/unittest.mk
