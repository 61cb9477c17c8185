/*
 * sfs_ramdev.h - RAM block device for libsfs tests: sector storage in host
 * memory with fault injection (failing reads/writes after N operations or on
 * one sector, and a power cut that silently drops every write after N). For
 * power-loss tests the cut may tear the write it falls on (only its first
 * sectors land) and, with a volatile cache, sfs_ramdev_power_off() also loses
 * every write not yet flushed.
 */
#ifndef SFS_RAMDEV_H
#define SFS_RAMDEV_H

#include <sfs/sfs.h>
#include <stdbool.h>
#include <stdint.h>

struct sfs_ramdev {
    uint8_t *data;
    uint64_t sectors;
    uint32_t sector_size;
    long fail_reads_after;  /* -1: never; else reads succeed this many times, then fail */
    long fail_writes_after; /* -1: never; same for writes */
    long power_cut_after;   /* -1: never; writes after this many are silently lost */
    int64_t bad_sector;     /* -1: none; reads and writes touching it fail */
    bool cut;               /* the power cut has happened */
    bool tear;              /* the write at the cut lands in part (its first half) */
    bool volatile_cache;    /* remember unflushed writes so power_off() can drop them */
    uint8_t *undo;          /* old contents of the unflushed writes */
    uint64_t *undo_sec;     /* their first sector and sector count, in pairs */
    size_t undo_len, undo_cap, undo_n, undo_ncap;
    uint64_t reads, writes, flushes;
    struct sfs_blockdev dev; /* ready to pass to sfs_format()/sfs_mount() */
};

void sfs_ramdev_init(struct sfs_ramdev *rd, uint64_t bytes, uint32_t sector_size);
void sfs_ramdev_free(struct sfs_ramdev *rd);
/* Clear every fault. */
void sfs_ramdev_heal(struct sfs_ramdev *rd);
/* The power goes: with a volatile cache every write since the last flush is
 * lost (newest first). Then the device heals. */
void sfs_ramdev_power_off(struct sfs_ramdev *rd);

#endif
