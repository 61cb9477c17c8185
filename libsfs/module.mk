# libsfs: the SFS file system as a portable, freestanding library. It depends on
# no other module: only on the C string functions and a block-device ops table.
MODULE := sfs
MODULE_DIR := libsfs
MODULE_DEPS :=
MODULE_SRCS := \
	libsfs/sfs_util.c \
	libsfs/sfs_bcache.c \
	libsfs/sfs_alloc.c \
	libsfs/sfs_inode.c \
	libsfs/sfs_dir.c \
	libsfs/sfs_walk.c \
	libsfs/sfs_path.c \
	libsfs/sfs_journal.c \
	libsfs/sfs_super.c \
	libsfs/sfs_ops.c \
	libsfs/sfs_file.c \
	libsfs/sfs_attr.c \
	libsfs/sfs_check.c \
	libsfs/sfs_repair.c \
	libsfs/sfs_repair_dir.c
MODULE_KERNEL_SRCS :=
MODULE_HOST_SRCS :=
include mk/library.mk
