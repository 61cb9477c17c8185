/*
 * sys_direct.c - O_DIRECT reads and writes that move data in place, between a
 * device and the user's own pages, with no copy in the kernel.
 *
 * Layer: the system-call side of direct I/O. read(), write(), pread64() and
 * pwrite64() try proc_direct_io() first; it answers -ENOTBLK when the file
 * takes no direct I/O (vfs_direct_align() says 0: not O_DIRECT, or not a
 * device that moves data in place) or the buffer is not aligned to its block
 * size, and the call then copies through a kernel buffer as for any file.
 *
 * Otherwise the buffer goes in pieces of at most DIRECT_PAGES pages: pin them
 * (uvm_pin(): fault in pages never touched, break copy-on-write before the
 * device writes into them, a bad pointer is -EFAULT), hand the frames to the
 * VFS (vfs_rw_pages(): the driver builds its scatter-gather list from them),
 * then unpin. The pins keep the frames alive while the device uses them even
 * if the mapping goes away meanwhile.
 */
#include "sys_priv.h"

#include <k/errno.h>
#include <mm/heap.h>
#include <mm/phys.h>

/* Pages pinned at once: 1 MiB of user buffer (one more for a buffer that is
 * not page aligned). */
#define DIRECT_PAGES 257u

int64_t proc_direct_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                       uint64_t off)
{
    uint32_t align = n ? vfs_direct_align(&p->files, fd) : 0;
    if (!align || ubuf % align || n % align)
        return -ENOTBLK;
    uint64_t *frames = kmalloc(DIRECT_PAGES * sizeof(*frames));
    if (!frames)
        return -ENOMEM;
    int64_t done = 0;
    while ((uint64_t)done < n) {
        uint64_t va = ubuf + (uint64_t)done;
        uint64_t room = (DIRECT_PAGES - 1) * (uint64_t)MM_PAGE_SIZE;
        size_t chunk = (size_t)(n - (uint64_t)done < room ? n - (uint64_t)done : room);
        long pages = uvm_pin(&p->vm, va, chunk, !write, frames, DIRECT_PAGES);
        if (pages < 0) {
            done = done ? done : pages;
            break;
        }
        struct vfs_pages pg = {
            .frames = frames,
            .nframes = (size_t)pages,
            .first = (uint32_t)(va & (MM_PAGE_SIZE - 1)),
            .len = chunk,
        };
        long r = vfs_rw_pages(&p->files, fd, &pg, write, at, off + (uint64_t)done);
        uvm_unpin(&p->vm, frames, (size_t)pages);
        if (r < 0) {
            done = done ? done : r;
            break;
        }
        done += r;
        if ((size_t)r < chunk || (write && proc_signal_pending(p)))
            break;
    }
    kfree(frames);
    return done;
}
