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

/* Parse "64M", "4096", "1G", "512K". Returns false on a bad number. */
bool sfs_parse_size(const char *s, uint64_t *out);

#endif
