/*
 * devfs.c - device files (vfs/devfs.h).
 *
 * Vnodes are made on each lookup and freed on release; a block device's node
 * is found by name in libdev's registry every time, so a device registered
 * after the mount appears too. Inode numbers: 1 the directory, 2-7 the fixed
 * character devices, 16 + n the n-th block device.
 *
 * `console` and `tty` are the terminal given to devfs_set_tty(): stream
 * vnodes (their own ops table, with `stream` set), so a read may sleep
 * without the VFS lock. Without a terminal they fall back to the console
 * registry (writes to every console, reads what is waiting, never blocking).
 * `random` and `urandom` read the generator given to devfs_set_random().
 *
 * A block device's node copies through a one-block bounce buffer only for
 * bytes that are not whole blocks; O_DIRECT transfers of whole blocks go in
 * place to or from the caller's pinned pages (rw_pages, block_rw_sg()).
 *
 * Locking (vfs/devfs.h): `the_tty` and `the_random` are set once at boot;
 * block_rw() and devfs_rw_pages() run without the VFS lock and use only the
 * device and their own buffers.
 */
#include <k/console.h>
#include <k/errno.h>
#include <dev/block.h>
#include <dev/tty.h>
#include <string.h>
#include <vfs/devfs.h>

enum {
    DEV_DIR = 1,
    DEV_CONSOLE,
    DEV_NULL,
    DEV_ZERO,
    DEV_TTY,
    DEV_RANDOM,
    DEV_URANDOM,
    DEV_BLOCK_BASE = 16
};

static const char *const char_names[] = { "console", "null", "zero", "tty", "random", "urandom" };
#define NCHAR ((uint64_t)(sizeof(char_names) / sizeof(char_names[0])))

/* Linux's numbers for the same devices, in the order of char_names. */
static const uint16_t char_major[] = { 5, 1, 1, 5, 1, 1 };
static const uint16_t char_minor[] = { 1, 3, 5, 0, 8, 9 };
_Static_assert(sizeof(char_major) / sizeof(char_major[0]) == NCHAR, "one number per device");

static const struct vnode_ops devfs_ops;
static const struct vnode_ops devfs_tty_ops;
static struct tty *the_tty;
static void (*the_random)(void *buf, size_t n);

void devfs_set_tty(struct tty *t)
{
    the_tty = t;
}

void devfs_set_random(void (*fill)(void *buf, size_t n))
{
    the_random = fill;
}

struct tty *devfs_tty(const struct vnode *vn)
{
    return vn && vn->ops == &devfs_tty_ops ? vn->priv : NULL;
}

bool devfs_is_dev_tty(const struct vnode *vn)
{
    return devfs_tty(vn) && vn->ino == DEV_TTY;
}

static int make_vnode(struct vfs_mount *mnt, uint32_t type, uint64_t ino, void *priv,
                      struct vnode **out)
{
    struct vnode *vn = vnode_new(mnt, &devfs_ops, type, ino, priv);
    if (!vn)
        return -ENOMEM;
    *out = vn;
    return 0;
}

static uint64_t block_ino(struct block_device *dev)
{
    uint64_t i = 0;
    for (struct block_device *d = blockdev_next(NULL); d; d = blockdev_next(d), i++)
        if (d == dev)
            break;
    return DEV_BLOCK_BASE + i;
}

static int devfs_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    if (strcmp(name, "..") == 0) {
        *out = vnode_get(dir);
        return 0;
    }
    for (uint64_t i = 0; i < NCHAR; i++) {
        if (strcmp(name, char_names[i]) != 0)
            continue;
        uint64_t ino = DEV_CONSOLE + i;
        if ((ino == DEV_CONSOLE || ino == DEV_TTY) && the_tty) {
            struct vnode *vn = vnode_new(dir->mnt, &devfs_tty_ops, VFS_TYPE_CHARDEV, ino, the_tty);
            *out = vn;
            return vn ? 0 : -ENOMEM;
        }
        return make_vnode(dir->mnt, VFS_TYPE_CHARDEV, ino, NULL, out);
    }
    struct block_device *bd = blockdev_find(name);
    if (!bd)
        return -ENOENT;
    return make_vnode(dir->mnt, VFS_TYPE_BLOCKDEV, block_ino(bd), bd, out);
}

static int devfs_readdir(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out)
{
    (void)dir;
    (void)handle;
    uint64_t c = *cookie;
    if (c < 2) {
        memcpy(out->name, c == 0 ? "." : "..", c == 0 ? 2 : 3);
        out->ino = DEV_DIR;
        out->type = VFS_TYPE_DIR;
    } else if (c < 2 + NCHAR) {
        size_t n = strlen(char_names[c - 2]);
        memcpy(out->name, char_names[c - 2], n + 1);
        out->ino = DEV_CONSOLE + (c - 2);
        out->type = VFS_TYPE_CHARDEV;
    } else {
        struct block_device *d = blockdev_next(NULL);
        for (uint64_t i = 2 + NCHAR; d && i < c; i++)
            d = blockdev_next(d);
        if (!d)
            return 0;
        size_t n = strnlen(d->name, sizeof(d->name) - 1);
        memcpy(out->name, d->name, n);
        out->name[n] = '\0';
        out->ino = block_ino(d);
        out->type = VFS_TYPE_BLOCKDEV;
    }
    *cookie = c + 1;
    return 1;
}

static int devfs_getattr(struct vnode *vn, struct vfs_stat *st)
{
    st->mode = vn->type == VFS_TYPE_DIR ? 0755 : 0666;
    st->blksize = 512;
    if (vn->ino >= DEV_CONSOLE && vn->ino < DEV_CONSOLE + NCHAR)
        st->rdev = VFS_MKDEV(char_major[vn->ino - DEV_CONSOLE], char_minor[vn->ino - DEV_CONSOLE]);
    if (vn->type == VFS_TYPE_BLOCKDEV) {
        struct block_device *bd = vn->priv;
        st->size = bd->block_count * bd->block_size;
        st->blksize = bd->block_size;
        st->rdev = VFS_MKDEV(DEVFS_BLOCK_MAJOR, vn->ino - DEV_BLOCK_BASE);
    }
    return 0;
}

/* Byte-granular access to a block device through a one-block bounce buffer. */
static long block_rw(struct block_device *bd, uint64_t off, void *buf, size_t len, bool write)
{
    uint64_t size = bd->block_count * bd->block_size;
    if (off >= size)
        return write ? (len ? -ENOSPC : 0) : 0;
    if (len > size - off)
        len = (size_t)(size - off);
    uint32_t bs = bd->block_size;
    uint8_t *bounce = NULL;
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint64_t lba = pos / bs;
        uint32_t in = (uint32_t)(pos % bs);
        size_t chunk = len - done;
        int err;
        if (in == 0 && chunk >= bs) { /* whole blocks go straight through */
            uint32_t count = (uint32_t)(chunk / bs > 256 ? 256 : chunk / bs);
            err = write ? block_write(bd, lba, count, (uint8_t *)buf + done)
                        : block_read(bd, lba, count, (uint8_t *)buf + done);
            chunk = (size_t)count * bs;
        } else {
            if (!bounce && !(bounce = vfs_alloc(bs)))
                return done ? (long)done : -ENOMEM;
            if (chunk > bs - in)
                chunk = bs - in;
            err = block_read(bd, lba, 1, bounce);
            if (err >= 0) {
                if (write) {
                    memcpy(bounce + in, (uint8_t *)buf + done, chunk);
                    err = block_write(bd, lba, 1, bounce);
                } else {
                    memcpy((uint8_t *)buf + done, bounce + in, chunk);
                }
            }
        }
        if (err < 0) {
            vfs_free(bounce);
            return done ? (long)done : err;
        }
        done += chunk;
    }
    vfs_free(bounce);
    return (long)done;
}

static long devfs_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t len)
{
    (void)handle;
    switch (vn->ino) {
    case DEV_NULL:
        return 0;
    case DEV_ZERO:
        memset(buf, 0, len);
        return (long)len;
    case DEV_RANDOM:
    case DEV_URANDOM:
        if (!the_random)
            return -ENXIO;
        the_random(buf, len);
        return (long)len;
    case DEV_CONSOLE:
    case DEV_TTY: {
        size_t n = 0;
        int c;
        while (n < len && (c = console_getc()) >= 0)
            ((char *)buf)[n++] = (char)c;
        return (long)n;
    }
    default:
        return block_rw(vn->priv, off, buf, len, false);
    }
}

static long devfs_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t len)
{
    (void)handle;
    switch (vn->ino) {
    case DEV_NULL:
    case DEV_ZERO:
    case DEV_RANDOM: /* accepted and dropped: nothing to mix it into */
    case DEV_URANDOM:
        return (long)len;
    case DEV_CONSOLE:
    case DEV_TTY:
        console_write(buf, len);
        return (long)len;
    default:
        return block_rw(vn->priv, off, (void *)buf, len, true);
    }
}

/* Direct I/O on a block device: the caller's pinned pages, as physical
 * segments (adjacent frames merged), read or written in place by the driver.
 * Offset, length and the first page offset must be whole blocks. */
static long devfs_rw_pages(struct vnode *vn, void *handle, uint64_t off, const struct vfs_pages *pg,
                           bool write)
{
    (void)handle;
    struct block_device *bd = vn->priv;
    if (vn->type != VFS_TYPE_BLOCKDEV || !bd->max_segs)
        return -ENOTBLK;
    uint32_t bs = bd->block_size;
    if (off % bs || pg->len % bs || pg->first % bs)
        return -ENOTBLK;
    if (pg->first >= DMA_PAGE_SIZE ||
        (uint64_t)pg->first + pg->len > (uint64_t)pg->nframes * DMA_PAGE_SIZE)
        return -EINVAL;
    uint64_t size = bd->block_count * bs;
    if (off >= size)
        return write && pg->len ? -ENOSPC : 0;
    size_t len = pg->len < size - off ? pg->len : (size_t)(size - off);
    if (len == 0)
        return 0;
    size_t pages = (pg->first + len + DMA_PAGE_SIZE - 1) / DMA_PAGE_SIZE;
    struct dma_seg *sg = vfs_alloc(pages * sizeof(*sg));
    if (!sg)
        return -ENOMEM;
    unsigned n = 0;
    size_t at = pg->first, left = len;
    for (size_t i = 0; left > 0; i++, at = 0) {
        uint32_t take = (uint32_t)(DMA_PAGE_SIZE - at < left ? DMA_PAGE_SIZE - at : left);
        uint64_t phys = pg->frames[i] + at;
        if (n && sg[n - 1].phys + sg[n - 1].len == phys)
            sg[n - 1].len += take;
        else
            sg[n++] = (struct dma_seg){ .phys = phys, .len = take };
        left -= take;
    }
    int r = block_rw_sg(bd, write ? BLOCK_OP_WRITE : BLOCK_OP_READ, off / bs, (uint32_t)(len / bs),
                        sg, n);
    vfs_free(sg);
    return r < 0 ? r : (long)len;
}

static int devfs_truncate(struct vnode *vn, uint64_t size)
{
    (void)size;
    return vn->type == VFS_TYPE_BLOCKDEV ? -EINVAL : 0; /* "> /dev/null" truncates */
}

static int devfs_fsync(struct vnode *vn, void *handle)
{
    (void)handle;
    return vn->type == VFS_TYPE_BLOCKDEV ? block_flush(vn->priv) : 0;
}

static const struct vnode_ops devfs_ops = {
    .lookup = devfs_lookup,
    .readdir = devfs_readdir,
    .getattr = devfs_getattr,
    .read = devfs_read,
    .write = devfs_write,
    .rw_pages = devfs_rw_pages,
    .truncate = devfs_truncate,
    .fsync = devfs_fsync,
};

/* The terminal's vnodes: reads sleep in the line discipline. */
static long devfs_tty_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t len)
{
    (void)handle;
    (void)off;
    return tty_read(vn->priv, buf, len);
}

static long devfs_tty_write(struct vnode *vn, void *handle, uint64_t off, const void *buf,
                            size_t len)
{
    (void)handle;
    (void)off;
    return tty_write(vn->priv, buf, len);
}

static const struct vnode_ops devfs_tty_ops = {
    .getattr = devfs_getattr,
    .read = devfs_tty_read,
    .write = devfs_tty_write,
    .truncate = devfs_truncate,
    .stream = true,
};

static int devfs_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    (void)source;
    return make_vnode(mnt, VFS_TYPE_DIR, DEV_DIR, NULL, root);
}

const struct vfs_fs_type devfs_type = {
    .name = "devfs",
    .mount = devfs_mount,
    .magic = 0x01021994u, /* Linux's TMPFS_MAGIC, as its devtmpfs reports */
};

struct block_device *devfs_block_device(const struct vnode *vn)
{
    return vn->ops == &devfs_ops && vn->type == VFS_TYPE_BLOCKDEV ? vn->priv : NULL;
}

/* The name devfs gives device number @rdev of @type, or NULL. */
static const char *rdev_name(uint32_t type, uint64_t rdev)
{
    uint32_t ma = VFS_MAJOR(rdev), mi = VFS_MINOR(rdev);
    if (type == VFS_TYPE_CHARDEV) {
        for (uint64_t i = 0; i < NCHAR; i++)
            if (char_major[i] == ma && char_minor[i] == mi)
                return char_names[i];
        return NULL;
    }
    if (type != VFS_TYPE_BLOCKDEV || ma != DEVFS_BLOCK_MAJOR)
        return NULL;
    struct block_device *d = blockdev_next(NULL);
    for (uint32_t i = 0; d && i < mi; i++)
        d = blockdev_next(d);
    return d ? d->name : NULL;
}

struct find_devfs {
    struct vfs_mount *m;
};

static void find_one(struct vfs_mount *m, void *arg)
{
    struct find_devfs *f = arg;
    if (!f->m && m->type == &devfs_type)
        f->m = m;
}

int devfs_rdev_vnode(uint32_t type, uint64_t rdev, struct vnode **out)
{
    const char *name = rdev_name(type, rdev);
    struct find_devfs f = { NULL };
    if (name)
        vfs_for_each_mount_locked(find_one, &f);
    if (!f.m)
        return -ENXIO;
    int err = devfs_lookup(f.m->root, name, out);
    return err == -ENOENT ? -ENXIO : err;
}
