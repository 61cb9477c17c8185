/*
 * sfs_image.h - host-side glue shared by mkfs.sfs, fsck.sfs and sfs: an
 * image-file block device for libsfs, mounting helpers and size parsing.
 */
#ifndef TOOLS_SFS_IMAGE_H
#define TOOLS_SFS_IMAGE_H

#include <sfs/sfs.h>
#include <stdbool.h>
#include <stdint.h>

/* An image file opened as a block device of 512-byte sectors. */
struct sfs_image {
    int fd;
    struct sfs_blockdev dev;
    struct sfs_config cfg;
};

/* Open @path (read-write). Returns 0 or -errno; prints nothing. */
int sfs_image_open(struct sfs_image *img, const char *path);
void sfs_image_close(struct sfs_image *img);
/* Open and mount; on failure prints "<prog>: <path>: <why>" and returns non-zero. */
int sfs_image_mount(struct sfs_image *img, struct sfs *fs, const char *prog, const char *path);
/* As sfs_image_mount() with sfs_config::mount_flags = @flags (SFS_MOUNT_RDONLY). */
int sfs_image_mount_flags(struct sfs_image *img, struct sfs *fs, const char *prog,
                          const char *path, uint32_t flags);

/*
 * Refuse a mounted file system: 0 if @path is not mounted, else prints
 * "<prog>: <path> is mounted on <dir>" and returns 1. The mount table is
 * /proc/mounts (Linux's format, on Linux and on Kestrel), or the file named
 * by the environment variable SFS_MOUNTS (for tests). A device matches an
 * entry whose source is the same device (st_rdev); an image file matches
 * an entry whose source is that file (device and inode) or a loop device
 * backed by it (LOOP_GET_STATUS64). Without a readable mount table nothing
 * is known to be mounted, and 0 is returned.
 */
int sfs_image_check_unmounted(const char *prog, const char *path);

/* Parse "64M", "4096", "1G", "512K". Returns false on a bad number. */
bool sfs_parse_size(const char *s, uint64_t *out);

#endif
