# libvfs: mounts, vnodes, path walk, file descriptors, ramfs, devfs, the SFS adapter
# (libvfs is the one library that uses libsfs).
MODULE := vfs
MODULE_DIR := libvfs
MODULE_DEPS := dev k sfs
MODULE_SRCS := \
	libvfs/cpio.c \
	libvfs/devfs.c \
	libvfs/ramfs.c \
	libvfs/sfs_vfs.c \
	libvfs/synthfs.c \
	libvfs/vfs_attr.c \
	libvfs/vfs.c \
	libvfs/vfs_dev.c \
	libvfs/vfs_file.c \
	libvfs/vfs_path.c \
	libvfs/vfs_walk.c
include mk/library.mk
