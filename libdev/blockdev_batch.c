/*
 * blockdev_batch.c - many writes in flight, one wait for all (dev/block.h:
 * block_batch_init, block_batch_write, block_batch_finish).
 *
 * Layer: the block interface, for caches writing back many blocks at once
 * (SFS's flush through the VFS adapter). Each write becomes an asynchronous
 * request in a ring of BLOCK_BATCH_MAX; when the ring or the device is full
 * the oldest is waited for, so the device always has work queued. A device
 * without a queue, or a write longer than its max_request, is written
 * synchronously in place. Errors are kept and reported once by finish, so a
 * caller can keep every block dirty and try again.
 *
 * Locking: none; a batch belongs to one caller at a time (SFS's, under the
 * VFS lock), and the driver locks its own queue.
 */
#include <k/errno.h>
#include <dev/block.h>

void block_batch_init(struct block_batch *b, struct block_device *dev)
{
    b->dev = dev;
    b->head = 0;
    b->n = 0;
    b->err = 0;
    b->started = 0;
}

/* Retire the oldest write in flight. */
static void wait_oldest(struct block_batch *b)
{
    int r = block_wait(b->dev, &b->rq[b->head]);
    if (r < 0 && !b->err)
        b->err = r;
    b->head = (b->head + 1) % BLOCK_BATCH_MAX;
    b->n--;
}

int block_batch_write(struct block_batch *b, uint64_t lba, uint32_t count, const void *buf)
{
    struct block_device *dev = b->dev;
    if (!dev || !dev->ops)
        return -EINVAL;
    b->started++;
    if (!dev->ops->submit || (dev->max_request && count > dev->max_request)) {
        int r = block_write(dev, lba, count, buf);
        if (r < 0 && r != -ENXIO && r != -EROFS && r != -EINVAL && !b->err)
            b->err = r;
        return r == -ENXIO || r == -EROFS || r == -EINVAL ? r : 0;
    }
    for (unsigned tries = 0;; tries++) {
        if (b->n == BLOCK_BATCH_MAX)
            wait_oldest(b);
        struct block_request *rq = &b->rq[(b->head + b->n) % BLOCK_BATCH_MAX];
        *rq = (struct block_request){
            .op = BLOCK_OP_WRITE, .lba = lba, .count = count, .buf = (void *)(uintptr_t)buf
        };
        int r = block_submit(dev, rq);
        if (r == 0) {
            b->n++;
            return 0;
        }
        if (r != -EAGAIN)
            return r;
        /* The device is full: make room by finishing ours, or wait for others'. */
        if (b->n)
            wait_oldest(b);
        else if (tries >= 64)
            return -ETIMEDOUT;
        else if (dev->ops->wait_room)
            dev->ops->wait_room(dev);
    }
}

int block_batch_finish(struct block_batch *b)
{
    while (b->n)
        wait_oldest(b);
    int err = b->err;
    b->err = 0;
    return err;
}
