/*
 * blockdev.c - the block-device interface and its registry (dev/block.h).
 *
 * Layer: between block drivers (virtio-blk, RAM disk) and their users (libsfs's
 * adapter, devfs, tests). The wrappers enforce the common contract (range,
 * read-only, argument checks) once so drivers only see valid requests.
 * Locking: the registry list is changed at boot/probe time only.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <string.h>

#define BLOCK_INT_MAX 0x7fffffffu

static struct block_device *registry;

static int check(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    if (!dev || !dev->ops || !buf || count > BLOCK_INT_MAX)
        return -EINVAL;
    if (lba > dev->block_count || count > dev->block_count - lba)
        return -ENXIO;
    return 0;
}

int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    if (count == 0)
        return 0;
    int err = check(dev, lba, count, buf);
    if (err)
        return err;
    if (!dev->ops->read)
        return -ENOSYS;
    return dev->ops->read(dev, lba, count, buf);
}

int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    if (count == 0)
        return 0;
    int err = check(dev, lba, count, buf);
    if (err)
        return err;
    if (dev->read_only)
        return -EROFS;
    if (!dev->ops->write)
        return -ENOSYS;
    return dev->ops->write(dev, lba, count, buf);
}

int block_flush(struct block_device *dev)
{
    if (!dev || !dev->ops)
        return -EINVAL;
    return dev->ops->flush ? dev->ops->flush(dev) : 0;
}

int blockdev_register(struct block_device *dev)
{
    if (!dev || !dev->ops || !dev->name[0])
        return -EINVAL;
    struct block_device **pp = &registry;
    for (; *pp; pp = &(*pp)->next)
        if (*pp == dev || strcmp((*pp)->name, dev->name) == 0)
            return -EEXIST;
    dev->next = NULL;
    *pp = dev;
    return 0;
}

int blockdev_unregister(struct block_device *dev)
{
    struct block_device **pp = &registry;
    while (*pp && *pp != dev)
        pp = &(*pp)->next;
    if (!*pp)
        return -ENOENT;
    *pp = dev->next;
    dev->next = NULL;
    return 0;
}

struct block_device *blockdev_find(const char *name)
{
    for (struct block_device *d = registry; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

struct block_device *blockdev_next(struct block_device *prev)
{
    return prev ? prev->next : registry;
}

int blockdev_make_name(const char *prefix, char *out, size_t size)
{
    size_t n = strlen(prefix);
    if (n + 2 > size)
        return -ENOSPC;
    memcpy(out, prefix, n);
    out[n + 1] = '\0';
    for (char c = 'a'; c <= 'z'; c++) {
        out[n] = c;
        if (!blockdev_find(out))
            return 0;
    }
    out[0] = '\0';
    return -ENOSPC;
}

size_t blockdev_describe(char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (struct block_device *d = registry; d; d = d->next) {
        size_t room = len < size ? size - len : 0;
        uint64_t mib = d->block_count * d->block_size >> 20;
        int n = ksnprintf(room ? buf + len : NULL, room, "%s %llu x %u B (%llu MiB)%s\n", d->name,
                          (unsigned long long)d->block_count, d->block_size,
                          (unsigned long long)mib, d->read_only ? " ro" : "");
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}
