/*
 * vfs_dev.c - finding a block device by path (vfs/devfs.h), for mount(2):
 * the path walk, then devfs's own test of what the vnode is.
 */
#include <k/errno.h>
#include <vfs/devfs.h>

#include "vfs_priv.h"

int devfs_resolve_block(struct vfs_ctx *ctx, const char *path, struct block_device **out)
{
    struct vnode *vn;
    int err = vfs_resolve(ctx, path, true, &vn);
    if (err)
        return err;
    vfs_lock();
    *out = devfs_block_device(vn);
    vnode_put(vn);
    vfs_unlock();
    return *out ? 0 : -ENOTBLK;
}
