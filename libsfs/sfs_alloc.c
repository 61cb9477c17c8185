/*
 * sfs_alloc.c - allocation layer: the inode bitmap and the data bitmap.
 *
 * Both bitmaps may span many blocks. Bit i of bitmap block k describes item
 * k * block_size * 8 + i (LSB first within each byte). The data bitmap covers
 * every block of the volume; metadata blocks are marked used at format time.
 *
 * Interface: sfs_balloc()/sfs_bfree() for blocks, sfs_ialloc()/sfs_ifree()
 * for inodes; the superblock's free counters follow (written at sync).
 * Allocation starts from a rotating hint so consecutive allocations are
 * contiguous and a full scan only happens when the volume is nearly full.
 */
#include "sfs_priv.h"

int sfs_bitmap_test(struct sfs *fs, uint32_t start, uint32_t bit, int *out)
{
    uint32_t bpb = fs->block_size * 8;
    struct sfs_buf *b;
    int r = sfs_bget(fs, start + bit / bpb, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    uint32_t j = bit % bpb;
    *out = (b->data[j / 8] >> (j % 8)) & 1;
    sfs_bput(fs, b);
    return 0;
}

int sfs_bitmap_set(struct sfs *fs, uint32_t start, uint32_t bit, int val)
{
    uint32_t bpb = fs->block_size * 8;
    struct sfs_buf *b;
    int r = sfs_bget(fs, start + bit / bpb, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    uint32_t j = bit % bpb;
    if (val)
        b->data[j / 8] |= (uint8_t)(1u << (j % 8));
    else
        b->data[j / 8] &= (uint8_t) ~(1u << (j % 8));
    sfs_bdirty(fs, b);
    sfs_bput(fs, b);
    return 0;
}

/* Find a clear bit in [0, nbits), starting at @hint and wrapping; set it. */
static int bitmap_alloc(struct sfs *fs, uint32_t start, uint32_t nbits, uint32_t hint,
                        uint32_t *out)
{
    uint32_t bpb = fs->block_size * 8;
    uint32_t bit = hint < nbits ? hint : 0;
    uint64_t scanned = 0;
    while (scanned < (uint64_t)nbits + bpb) {
        uint32_t bi = bit / bpb, off = bit % bpb;
        uint32_t lim = nbits - bi * bpb < bpb ? nbits - bi * bpb : bpb;
        struct sfs_buf *b;
        int r = sfs_bget(fs, start + bi, SFS_BGET_READ, &b);
        if (r < 0)
            return r;
        for (uint32_t j = off; j < lim; j++) {
            if (j % 8 == 0 && j + 8 <= lim && b->data[j / 8] == 0xFF) {
                j += 7;
                continue;
            }
            if (!(b->data[j / 8] & (1u << (j % 8)))) {
                b->data[j / 8] |= (uint8_t)(1u << (j % 8));
                sfs_bdirty(fs, b);
                sfs_bput(fs, b);
                *out = bi * bpb + j;
                return 0;
            }
        }
        sfs_bput(fs, b);
        scanned += lim - off;
        bit = (bi + 1) * bpb;
        if (bit >= nbits)
            bit = 0;
    }
    return SFS_ENOSPC;
}

int sfs_balloc(struct sfs *fs, uint32_t *out)
{
    if (fs->free_blocks == 0)
        return SFS_ENOSPC;
    uint32_t blk;
    int r = bitmap_alloc(fs, fs->dbitmap_start, fs->total_blocks, fs->balloc_hint, &blk);
    if (r == SFS_ENOSPC) {
        sfs_log(fs, "free block count wrong: bitmap is full", fs->free_blocks, 0);
        fs->free_blocks = 0;
        fs->sb_dirty = 1;
        return r;
    }
    if (r < 0)
        return r;
    if (blk < fs->data_start) {
        /* Leave the bit set: it is a metadata block and must stay marked. */
        return sfs_corrupt(fs, "data bitmap marks a metadata block free", blk, 0);
    }
    fs->free_blocks--;
    fs->sb_dirty = 1;
    fs->balloc_hint = blk + 1;
    *out = blk;
    return 0;
}

int sfs_bfree(struct sfs *fs, uint32_t blk)
{
    if (!sfs_blk_valid(fs, blk))
        return sfs_corrupt(fs, "freeing a block outside the data region", blk, 0);
    int used;
    int r = sfs_bitmap_test(fs, fs->dbitmap_start, blk, &used);
    if (r < 0)
        return r;
    if (!used || sfs_txn_freed(fs, blk))
        return sfs_corrupt(fs, "freeing a block that is already free", blk, 0);
    fs->free_gen++; /* a read that let the lock go must look again */
    sfs_bforget(fs, blk);
    /* Journaled: the committed state may still own it, so an uncommitted
     * write must not reuse it. Its bit is cleared when the transaction commits. */
    if (sfs_txn_defer_free(fs, blk))
        return 0;
    r = sfs_bitmap_set(fs, fs->dbitmap_start, blk, 0);
    if (r < 0)
        return r;
    fs->free_blocks++;
    fs->sb_dirty = 1;
    if (blk < fs->balloc_hint)
        fs->balloc_hint = blk;
    return 0;
}

int sfs_ialloc(struct sfs *fs, uint32_t *out)
{
    if (fs->free_inodes == 0)
        return SFS_ENOSPC;
    uint32_t ino;
    int r = bitmap_alloc(fs, fs->ibitmap_start, fs->inode_count, fs->ialloc_hint, &ino);
    if (r == SFS_ENOSPC) {
        sfs_log(fs, "free inode count wrong: bitmap is full", fs->free_inodes, 0);
        fs->free_inodes = 0;
        fs->sb_dirty = 1;
        return r;
    }
    if (r < 0)
        return r;
    if (ino == 0)
        return sfs_corrupt(fs, "inode bitmap marks reserved inode 0 free", 0, 0);
    fs->free_inodes--;
    fs->sb_dirty = 1;
    fs->ialloc_hint = ino + 1;
    *out = ino;
    return 0;
}

int sfs_ifree(struct sfs *fs, uint32_t ino)
{
    if (ino == 0 || ino >= fs->inode_count)
        return sfs_corrupt(fs, "freeing an inode out of range", ino, 0);
    int used;
    int r = sfs_bitmap_test(fs, fs->ibitmap_start, ino, &used);
    if (r < 0)
        return r;
    if (!used)
        return sfs_corrupt(fs, "freeing an inode that is already free", ino, 0);
    r = sfs_bitmap_set(fs, fs->ibitmap_start, ino, 0);
    if (r < 0)
        return r;
    fs->free_inodes++;
    fs->sb_dirty = 1;
    if (ino < fs->ialloc_hint)
        fs->ialloc_hint = ino;
    return 0;
}
