/*
 * sys_direct.c - reads and writes that move data in place, between a file or
 * device and the user's own pages, with no kernel buffer between.
 *
 * Layer: the system-call side of I/O on files. read(), write(), pread64() and
 * pwrite64() try these first, and copy through a kernel buffer (sys_io.c)
 * only when both answer -ENOTBLK.
 *
 * Both pin the buffer in pieces of at most DIRECT_PAGES pages (uvm_pin():
 * fault in pages never touched, break copy-on-write before anything is
 * written into them, a bad pointer is -EFAULT), move the data, then unpin.
 * The pins keep the frames alive while they are used even if the mapping
 * goes away meanwhile.
 *
 * - proc_direct_io(): O_DIRECT on a file whose vnode moves data in place
 *   (vfs_direct_align() says its block size; the buffer must be aligned to
 *   it). The frames go to the VFS (vfs_rw_pages()) and the driver builds its
 *   scatter-gather list from them: the device reads or writes the user's
 *   pages, and nothing is copied.
 * - proc_inplace_io(): every other read or write of a regular file or block
 *   device of INPLACE_MIN bytes or more, or of whole pages. Each run of physically contiguous
 *   frames is reached through the kernel's direct map (mm_phys_to_virt()) and
 *   handed to the ordinary vfs_read()/vfs_write() as the buffer. So the file
 *   system copies cached data straight into the user's pages, and a large
 *   read past its cache (SFS streams whole blocks) has the device write them
 *   in place. Runs are as long as the frames allow: a buffer faulted in at
 *   once usually gets consecutive frames.
 */
#include "sys_priv.h"

#include <k/errno.h>
#include <mm/heap.h>
#include <mm/phys.h>

/* Pages pinned at once: 1 MiB of user buffer (one more for a buffer that is
 * not page aligned). */
#define DIRECT_PAGES 257u

/* Smaller transfers copy through a kernel buffer (pinning a few pages costs
 * about as much as the copy it saves), unless they are whole pages. */
#define INPLACE_MIN (16u * 1024u)

/* What moves one pinned piece: @chunk bytes, @first bytes into frames[0].
 * Bytes moved, or an error if none were. */
typedef long (*move_fn)(struct proc *p, int fd, const uint64_t *frames, size_t nframes,
                        uint32_t first, size_t chunk, bool write, bool at, uint64_t off);

/* Pin the buffer a piece at a time and have @move move each. A failure
 * before anything moved (no memory, a bad pointer) is -ENOTBLK with
 * @fallback (the copying path then answers, exactly), else that error. */
static int64_t pinned_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                         uint64_t off, move_fn move, bool fallback)
{
    uint64_t *frames = kmalloc(DIRECT_PAGES * sizeof(*frames));
    if (!frames)
        return fallback ? -ENOTBLK : -ENOMEM;
    int64_t done = 0;
    while ((uint64_t)done < n) {
        uint64_t va = ubuf + (uint64_t)done;
        uint64_t room = (DIRECT_PAGES - 1) * (uint64_t)MM_PAGE_SIZE;
        size_t chunk = (size_t)(n - (uint64_t)done < room ? n - (uint64_t)done : room);
        long pages = uvm_pin(&p->vm, va, chunk, !write, frames, DIRECT_PAGES);
        if (pages < 0) {
            done = done ? done : fallback ? -ENOTBLK : pages;
            break;
        }
        long r = move(p, fd, frames, (size_t)pages, (uint32_t)(va & (MM_PAGE_SIZE - 1)), chunk,
                      write, at, off + (uint64_t)done);
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

/* O_DIRECT: the frames themselves go to the VFS and on to the driver. */
static long move_frames(struct proc *p, int fd, const uint64_t *frames, size_t nframes,
                        uint32_t first, size_t chunk, bool write, bool at, uint64_t off)
{
    struct vfs_pages pg = { .frames = frames, .nframes = nframes, .first = first, .len = chunk };
    return vfs_rw_pages(&p->files, fd, &pg, write, at, off);
}

int64_t proc_direct_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                       uint64_t off)
{
    uint32_t align = n ? vfs_direct_align(&p->files, fd) : 0;
    if (!align || ubuf % align || n % align)
        return -ENOTBLK;
    return pinned_io(p, fd, ubuf, n, write, at, off, move_frames, false);
}

/* Files whose reads and writes may sleep in a device wait but never block
 * for other processes: regular files and block devices. */
static bool inplace_file(struct proc *p, int fd)
{
    struct vfs_stat st;
    return vfs_fstat(&p->files, fd, &st) == 0 &&
           (st.type == VFS_TYPE_FILE || st.type == VFS_TYPE_BLOCKDEV);
}

/* One ordinary transfer of @n bytes at the kernel address @k. */
static long transfer(struct proc *p, int fd, void *k, size_t n, bool write, bool at, uint64_t off)
{
    if (write)
        return at ? vfs_pwrite(&p->files, fd, k, n, off) : vfs_write(&p->files, fd, k, n);
    return at ? vfs_pread(&p->files, fd, k, n, off) : vfs_read(&p->files, fd, k, n);
}

/* Without O_DIRECT: one ordinary transfer per run of consecutive frames,
 * through the kernel's direct map. */
static long move_runs(struct proc *p, int fd, const uint64_t *frames, size_t nframes,
                      uint32_t first, size_t chunk, bool write, bool at, uint64_t off)
{
    size_t moved = 0;
    for (size_t i = 0; i < nframes && moved < chunk;) {
        size_t j = i + 1;
        while (j < nframes && frames[j] == frames[j - 1] + MM_PAGE_SIZE)
            j++;
        size_t start = i ? 0 : first;
        size_t len = (j - i) * (size_t)MM_PAGE_SIZE - start;
        if (len > chunk - moved)
            len = chunk - moved;
        char *k = (char *)mm_phys_to_virt(frames[i]) + start;
        long r = transfer(p, fd, k, len, write, at, off + moved);
        if (r < 0)
            return moved ? (long)moved : r;
        moved += (size_t)r;
        if ((size_t)r < len)
            break; /* end of file or device, or a full disk */
        i = j;
    }
    return (long)moved;
}

int64_t proc_inplace_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                        uint64_t off)
{
    bool whole = n && (ubuf | n) % MM_PAGE_SIZE == 0;
    if ((n < INPLACE_MIN && !whole) || !inplace_file(p, fd))
        return -ENOTBLK;
    return pinned_io(p, fd, ubuf, n, write, at, off, move_runs, true);
}
