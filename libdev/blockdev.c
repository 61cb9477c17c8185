/*
 * blockdev.c - the block-device interface and its registry (dev/block.h).
 *
 * Layer: between block drivers (virtio-blk, RAM disk) and their users (libsfs's
 * adapter, devfs, tests). The wrappers enforce the common contract (range,
 * read-only, argument checks) once so drivers only see valid requests, for the
 * synchronous calls and for asynchronous requests (block_submit/block_wait; a
 * driver without a queue has them run synchronously here). Requests whose data
 * is a list of physical segments (rq->sg) are checked against the device's
 * segment limits; blockdev_sg.c splits transfers into such requests.
 * Locking: `registry` is changed at boot/probe time only (thread context,
 * big kernel lock); walks take no lock. Counters are relaxed atomics (COUNT).
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <dev/block_ra.h>
#include <string.h>

#define BLOCK_INT_MAX 0x7fffffffu

#define COUNT(field, n) __atomic_fetch_add(&(field), (uint64_t)(n), __ATOMIC_RELAXED)

/* One request of @p op for @p count blocks, on the device's counters. */
static void account(struct block_device *dev, enum block_op op, uint32_t count, bool in_place)
{
    struct block_stats *st = &dev->stats;
    if (op == BLOCK_OP_READ) {
        COUNT(st->reads, 1);
        COUNT(st->read_blocks, count);
    } else if (op == BLOCK_OP_WRITE) {
        COUNT(st->writes, 1);
        COUNT(st->write_blocks, count);
    } else {
        COUNT(st->flushes, 1);
    }
    if (in_place)
        COUNT(st->in_place, 1);
}

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
    /* With read-ahead, only what goes to the device counts: its requests
     * ahead (block_submit()) and its reads on demand (block_note_read()). */
    if (dev->ra)
        return block_ra_read(dev, lba, count, buf);
    account(dev, BLOCK_OP_READ, count, false);
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
    account(dev, BLOCK_OP_WRITE, count, false);
    if (!dev->ra)
        return dev->ops->write(dev, lba, count, buf);
    /* Before: no read-ahead in flight keeps the old data; after: none
     * submitted meanwhile does either. */
    block_ra_invalidate(dev, lba, count);
    int r = dev->ops->write(dev, lba, count, buf);
    block_ra_invalidate(dev, lba, count);
    return r;
}

int block_flush(struct block_device *dev)
{
    if (!dev || !dev->ops)
        return -EINVAL;
    account(dev, BLOCK_OP_FLUSH, 0, false);
    return dev->ops->flush ? dev->ops->flush(dev) : 0;
}

void block_complete(struct block_request *rq, int result)
{
    rq->result = result;
    __atomic_store_n(&rq->complete, true, __ATOMIC_RELEASE);
    if (rq->done)
        rq->done(rq);
}

bool block_request_done(const struct block_request *rq)
{
    return __atomic_load_n(&rq->complete, __ATOMIC_ACQUIRE);
}

int block_submit(struct block_device *dev, struct block_request *rq)
{
    if (!dev || !dev->ops || !rq)
        return -EINVAL;
    rq->result = 0;
    rq->complete = false;
    rq->drv = NULL;
    if (rq->op == BLOCK_OP_READ || rq->op == BLOCK_OP_WRITE) {
        const void *data = rq->sg ? (const void *)rq->sg : rq->buf;
        int err = rq->count ? check(dev, rq->lba, rq->count, data) : 0;
        if (err)
            return err;
        if (rq->op == BLOCK_OP_WRITE && dev->read_only)
            return -EROFS;
        if (rq->sg && rq->count) {
            /* A segment list is bounded by its pieces, not by max_request. */
            if (!dev->max_segs || !dev->ops->submit)
                return -ENOTBLK;
            uint64_t bytes = (uint64_t)rq->count * dev->block_size;
            if (bytes > BLOCK_SG_MAX_BYTES ||
                block_sg_pieces(rq, (uint32_t)bytes, dev->max_seg_bytes, NULL, dev->max_segs) <= 0)
                return -EINVAL;
        } else if (dev->max_request && rq->count > dev->max_request) {
            return -EINVAL;
        }
        if (rq->count == 0) {
            block_complete(rq, 0);
            return 0;
        }
    } else if (rq->op != BLOCK_OP_FLUSH) {
        return -EINVAL;
    }
    if (rq->op == BLOCK_OP_WRITE && dev->ra)
        block_ra_invalidate(dev, rq->lba, rq->count);
    if (dev->ops->submit) {
        int err = dev->ops->submit(dev, rq);
        if (!err)
            account(dev, rq->op, rq->count, rq->sg != NULL);
        return err;
    }
    /* No queue: run it now and complete it before returning. */
    if ((rq->op == BLOCK_OP_READ && !dev->ops->read) ||
        (rq->op == BLOCK_OP_WRITE && !dev->ops->write))
        return -ENOSYS;
    account(dev, rq->op, rq->count, false);
    int r;
    if (rq->op == BLOCK_OP_FLUSH)
        r = dev->ops->flush ? dev->ops->flush(dev) : 0;
    else if (rq->op == BLOCK_OP_READ)
        r = dev->ops->read(dev, rq->lba, rq->count, rq->buf);
    else
        r = dev->ops->write(dev, rq->lba, rq->count, rq->buf);
    block_complete(rq, r);
    return 0;
}

int block_wait(struct block_device *dev, struct block_request *rq)
{
    if (!dev || !dev->ops || !rq)
        return -EINVAL;
    if (!block_request_done(rq) && dev->ops->wait)
        dev->ops->wait(dev, rq);
    /* A driver without wait() completes inside submit(). */
    return block_request_done(rq) ? rq->result : -ETIMEDOUT;
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

void block_note_read(struct block_device *dev, uint32_t blocks)
{
    account(dev, BLOCK_OP_READ, blocks, false);
}

void block_note_readahead(struct block_device *dev, uint32_t blocks)
{
    COUNT(dev->stats.readahead, blocks);
}

size_t blockdev_diskstats(unsigned major, char *buf, size_t size)
{
    size_t len = 0;
    unsigned minor = 0;
    if (size)
        buf[0] = '\0';
    for (struct block_device *d = registry; d; d = d->next, minor++) {
        const struct block_stats *st = &d->stats;
        unsigned long long spb = d->block_size / 512;
        size_t room = len < size ? size - len : 0;
        int n =
            ksnprintf(room ? buf + len : NULL, room,
                      "%4u %7u %s %llu 0 %llu 0 %llu 0 %llu 0 0 0 0 0 0 0 0 %llu 0 %llu %llu\n",
                      major, minor, d->name, (unsigned long long)st->reads,
                      (unsigned long long)st->read_blocks * spb, (unsigned long long)st->writes,
                      (unsigned long long)st->write_blocks * spb, (unsigned long long)st->flushes,
                      (unsigned long long)st->in_place, (unsigned long long)st->readahead);
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}
