/*
 * pipe.c - pipes: a 64 KiB ring between a read end and a write end, as
 * stream vnodes on the VFS's anonymous mount (pipe(2), pipe2(2)).
 *
 * Semantics (POSIX and Linux): a read blocks while the pipe is empty and a
 * writer exists, returns what is there (never waits for more once it has
 * some), and returns 0 when every write end is closed. A write blocks until
 * all of it is in; writes of at most PIPE_BUF bytes are never interleaved
 * with other writers. Writing with no read end left raises SIGPIPE and fails
 * with -EPIPE. A signal sent to a blocked process wakes it: -EINTR if nothing
 * was moved yet.
 *
 * Named FIFOs (mkfifo) are these same pipes: the VFS asks for one through
 * proc_fifo_ops (vfs/vfs_attr.h) when a FIFO node is first opened, and every
 * open file of the node shares it. An open for reading waits until a writer
 * has opened it and the other way round (fifo_wait, without the VFS lock);
 * counting the opens of each side, not the open ends, lets a waiting reader
 * see a writer that came and went already. O_RDWR opens both ends and never
 * waits; O_NONBLOCK never waits, and for writing fails with -ENXIO while
 * nobody reads. Reads and writes do not look at O_NONBLOCK.
 *
 * Locking: pipes are stream vnodes, so reads, writes and FIFO waits run
 * without the VFS lock (vfs/vfs.h), under the big kernel lock, which keeps
 * other CPUs out. Each pipe's state is changed with interrupts disabled,
 * against preemption on this CPU, which also makes "check, then sleep on the
 * wait queue" atomic. The copies into and out of the ring run with interrupts
 * disabled too: they are memcpy of at most one bounce buffer (64 KiB) at a
 * time, so a pipe's state cannot change under a copy, and 64 KiB is a few
 * microseconds. Open and close run under the VFS lock. A new pipe's vnode
 * (its references, before proc_pipe() returns the descriptors) is reached
 * only by the thread making it, so it needs no lock; `next_ino` is shared by
 * pipe(2), which runs without the VFS lock, and the first open of a FIFO,
 * which runs with it, so it is taken atomically.
 */
#include "proc_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <mm/heap.h>
#include <string.h>
#include <vfs/vfs_attr.h>

#define PIPE_SIZE (64u * 1024)
#define PIPE_BUF  4096u
#define SIGPIPE   13

struct pipe {
    uint8_t *ring;
    uint32_t head, count; /* read position, bytes stored */
    uint32_t readers, writers;
    uint64_t read_opens, write_opens; /* opens of each side so far (named FIFOs) */
    struct wait_queue can_read, can_write, opened;
};

/* The end an open file is: stored as its handle. */
#define END_READ  ((void *)1)
#define END_WRITE ((void *)2)
#define END_BOTH  ((void *)3) /* a named FIFO opened O_RDWR */

static void sleep_on(struct proc *p, struct wait_queue *wq)
{
    if (p)
        p->blocked_on = wq;
    wait_queue_sleep_locked(wq);
    if (p)
        p->blocked_on = NULL;
}

static bool interrupted(struct proc *p)
{
    return p && proc_signal_pending(p);
}

static long pipe_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n)
{
    (void)off;
    struct pipe *pp = vn->priv;
    struct proc *self = proc_current();
    if (handle != END_READ && handle != END_BOTH)
        return -EBADF;
    if (n == 0)
        return 0;
    uint64_t f = cpu_irq_save();
    long r;
    for (;;) {
        if (pp->count > 0) {
            size_t take = n < pp->count ? n : pp->count;
            for (size_t done = 0; done < take;) {
                size_t run = PIPE_SIZE - pp->head;
                if (run > take - done)
                    run = take - done;
                memcpy((uint8_t *)buf + done, pp->ring + pp->head, run);
                pp->head = (pp->head + (uint32_t)run) % PIPE_SIZE;
                done += run;
            }
            pp->count -= (uint32_t)take;
            wait_queue_wake_all(&pp->can_write);
            r = (long)take;
            break;
        }
        if (pp->writers == 0) {
            r = 0;
            break;
        }
        if (interrupted(self)) {
            r = -EINTR;
            break;
        }
        sleep_on(self, &pp->can_read);
    }
    cpu_irq_restore(f);
    return r;
}

static long pipe_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t n)
{
    (void)off;
    struct pipe *pp = vn->priv;
    struct proc *self = proc_current();
    if (handle != END_WRITE && handle != END_BOTH)
        return -EBADF;
    uint64_t f = cpu_irq_save();
    size_t done = 0;
    long r = 0;
    while (done < n) {
        if (pp->readers == 0) {
            if (self)
                proc_kill(self->pid, SIGPIPE);
            r = -EPIPE;
            break;
        }
        uint32_t space = PIPE_SIZE - pp->count;
        /* Up to PIPE_BUF bytes go in whole or wait: no interleaving. */
        bool atomic = n <= PIPE_BUF;
        if (space == 0 || (atomic && space < n)) {
            if (interrupted(self)) {
                r = -EINTR;
                break;
            }
            sleep_on(self, &pp->can_write);
            continue;
        }
        size_t put = n - done < space ? n - done : space;
        uint32_t tail = (pp->head + pp->count) % PIPE_SIZE;
        for (size_t i = 0; i < put;) {
            size_t run = PIPE_SIZE - tail;
            if (run > put - i)
                run = put - i;
            memcpy(pp->ring + tail, (const uint8_t *)buf + done + i, run);
            tail = (tail + (uint32_t)run) % PIPE_SIZE;
            i += run;
        }
        pp->count += (uint32_t)put;
        done += put;
        wait_queue_wake_all(&pp->can_read);
    }
    cpu_irq_restore(f);
    return done ? (long)done : r;
}

static int pipe_open(struct vnode *vn, int flags, void **handle)
{
    struct pipe *pp = vn->priv;
    int acc = flags & VFS_O_ACCMODE;
    uint64_t f = cpu_irq_save();
    int r = 0;
    if (acc == VFS_O_WRONLY && (flags & VFS_O_NONBLOCK) && pp->readers == 0) {
        r = -ENXIO; /* POSIX: nobody would ever read it */
    } else {
        if (acc != VFS_O_RDONLY) {
            pp->writers++;
            pp->write_opens++;
        }
        if (acc != VFS_O_WRONLY) {
            pp->readers++;
            pp->read_opens++;
        }
        *handle = acc == VFS_O_WRONLY ? END_WRITE : acc == VFS_O_RDWR ? END_BOTH : END_READ;
        wait_queue_wake_all(&pp->opened);
    }
    cpu_irq_restore(f);
    return r;
}

static int pipe_close(struct vnode *vn, void *handle)
{
    struct pipe *pp = vn->priv;
    uint64_t f = cpu_irq_save();
    if (handle != END_READ)
        pp->writers--;
    if (handle != END_WRITE)
        pp->readers--;
    wait_queue_wake_all(&pp->can_read);
    wait_queue_wake_all(&pp->can_write);
    cpu_irq_restore(f);
    return 0;
}

static int pipe_getattr(struct vnode *vn, struct vfs_stat *st)
{
    struct pipe *pp = vn->priv;
    *st = (struct vfs_stat){ .ino = vn->ino,
                             .type = VFS_TYPE_FIFO,
                             .mode = 0600,
                             .nlink = 1,
                             .blksize = PIPE_BUF,
                             .size = pp->count };
    return 0;
}

static void pipe_release(struct vnode *vn)
{
    struct pipe *pp = vn->priv;
    kfree(pp->ring);
    kfree(pp);
}

static const struct vnode_ops pipe_ops = {
    .open = pipe_open,
    .close = pipe_close,
    .read = pipe_read,
    .write = pipe_write,
    .getattr = pipe_getattr,
    .release = pipe_release,
    .stream = true,
};

/* A new, unopened pipe: its vnode with one reference. */
static int pipe_new(struct vnode **out)
{
    static uint64_t next_ino = 1;
    struct pipe *pp = kcalloc(1, sizeof(*pp));
    uint8_t *ring = pp ? kmalloc(PIPE_SIZE) : NULL;
    if (!ring) {
        kfree(pp);
        return -ENOMEM;
    }
    pp->ring = ring;
    wait_queue_init(&pp->can_read);
    wait_queue_init(&pp->can_write);
    wait_queue_init(&pp->opened);
    uint64_t ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
    struct vnode *vn = vnode_new(vfs_anon_mount(), &pipe_ops, VFS_TYPE_FIFO, ino, pp);
    if (!vn) {
        kfree(ring);
        kfree(pp);
        return -ENOMEM;
    }
    *out = vn;
    return 0;
}

/* A named FIFO's open waits for the other side (see the top of the file). */
static int fifo_wait(struct vnode *vn, void *handle, int flags)
{
    struct pipe *pp = vn->priv;
    struct proc *self = proc_current();
    if (handle == END_BOTH || (flags & VFS_O_NONBLOCK))
        return 0;
    uint64_t f = cpu_irq_save();
    /* This open counted itself already: wait for one more of the other side. */
    uint64_t *other = handle == END_READ ? &pp->write_opens : &pp->read_opens;
    uint32_t *now = handle == END_READ ? &pp->writers : &pp->readers;
    uint64_t seen = *other;
    int r = 0;
    while (*now == 0 && *other == seen) {
        if (interrupted(self)) {
            r = -EINTR;
            break;
        }
        sleep_on(self, &pp->opened);
    }
    cpu_irq_restore(f);
    return r;
}

const struct vfs_fifo_ops proc_fifo_ops = { .create = pipe_new, .wait = fifo_wait };

int proc_pipe(struct vfs_ctx *files, int fds[2])
{
    struct vnode *vn;
    int err = pipe_new(&vn);
    if (err)
        return err;
    int r = vfs_open_vnode(files, vn, VFS_O_RDONLY);
    int w = r < 0 ? r : vfs_open_vnode(files, vn, VFS_O_WRONLY);
    vnode_put(vn); /* the descriptors hold it now (or nothing does) */
    if (w < 0) {
        if (r >= 0)
            vfs_close(files, r);
        return w;
    }
    fds[0] = r;
    fds[1] = w;
    return 0;
}
