/**
 * @file sfs_disk.h
 * @brief SFS on-disk format, version 1 (with feature bits): constants and byte offsets.
 *
 * This header is the single description of the on-disk layout shared by the
 * library, the host tools and docs/sfs-format.md. Every multi-byte field is
 * little-endian and is read and written byte by byte, so the format is
 * independent of the host's endianness and alignment.
 *
 * Layout (in file-system blocks of SFS_DISK block_size bytes):
 *
 *     0                      superblock (first 128 bytes of the block)
 *     ibitmap_start ...      inode bitmap  (1 bit per inode)
 *     dbitmap_start ...      data bitmap   (1 bit per block of the whole volume)
 *     itable_start ...       inode table   (128-byte inodes)
 *     journal_start ...      reserved journal region (may be empty)
 *     data_start ...         data blocks
 */
#ifndef SFS_DISK_H
#define SFS_DISK_H

#include <stdint.h>

/** @brief Superblock magic ("SFS!" read as a little-endian u32). */
#define SFS_MAGIC 0x21534653u
/** @brief On-disk format version written by this library (independent of the software version). */
#define SFS_FORMAT_VERSION 1u

/** @brief Smallest file-system block size in bytes. */
#define SFS_MIN_BLOCK_SIZE 1024u
/** @brief Largest file-system block size in bytes. */
#define SFS_MAX_BLOCK_SIZE 65536u
/** @brief Default file-system block size in bytes. */
#define SFS_DEFAULT_BLOCK_SIZE 4096u
/** @brief Smallest volume accepted by sfs_format(), in blocks. */
#define SFS_MIN_BLOCKS 16u

/** @brief Bytes of the superblock record at the start of block 0. */
#define SFS_SB_SIZE 128u
/* Superblock field offsets. */
#define SFS_SB_MAGIC          0   /**< u32 SFS_MAGIC */
#define SFS_SB_VERSION        4   /**< u32 format version */
#define SFS_SB_BLOCK_SIZE     8   /**< u32 block size in bytes (power of two) */
#define SFS_SB_TOTAL_BLOCKS   12  /**< u32 blocks in the volume */
#define SFS_SB_INODE_COUNT    16  /**< u32 inodes (including the reserved inode 0) */
#define SFS_SB_IBITMAP_START  20  /**< u32 first inode-bitmap block */
#define SFS_SB_IBITMAP_BLOCKS 24  /**< u32 inode-bitmap blocks */
#define SFS_SB_DBITMAP_START  28  /**< u32 first data-bitmap block */
#define SFS_SB_DBITMAP_BLOCKS 32  /**< u32 data-bitmap blocks */
#define SFS_SB_ITABLE_START   36  /**< u32 first inode-table block */
#define SFS_SB_ITABLE_BLOCKS  40  /**< u32 inode-table blocks */
#define SFS_SB_JOURNAL_START  44  /**< u32 first journal block */
#define SFS_SB_JOURNAL_BLOCKS 48  /**< u32 journal blocks (0: none reserved) */
#define SFS_SB_DATA_START     52  /**< u32 first data block */
#define SFS_SB_FREE_BLOCKS    56  /**< u32 free blocks */
#define SFS_SB_FREE_INODES    60  /**< u32 free inodes */
#define SFS_SB_FEAT_COMPAT    64  /**< u32 compatible features */
#define SFS_SB_FEAT_INCOMPAT  68  /**< u32 incompatible features */
#define SFS_SB_FEAT_RO_COMPAT 72  /**< u32 read-only-compatible features */
#define SFS_SB_ROOT_INO       76  /**< u32 root directory inode (1) */
#define SFS_SB_STATE          80  /**< u32 SFS_STATE_CLEAN or SFS_STATE_DIRTY */
#define SFS_SB_MKFS_TIME      84  /**< u64 format time (seconds) */
#define SFS_SB_WRITE_TIME     92  /**< u64 last superblock write (seconds) */
#define SFS_SB_LABEL          100 /**< 16 bytes volume label, NUL padded */
#define SFS_SB_LABEL_LEN      16  /**< label bytes */
#define SFS_SB_ORPHAN_HEAD    116 /**< u32 first orphan inode (0: none; journaled volumes) */
#define SFS_SB_CHECKSUM       124 /**< u32 CRC-32 of bytes 0..123 */

/** @brief Volume was unmounted cleanly. */
#define SFS_STATE_CLEAN 1u
/** @brief Volume is mounted or was not unmounted cleanly. */
#define SFS_STATE_DIRTY 2u

/** @brief Compatible feature bit 0: reserved (never set; version-1 writers leave it clear). */
#define SFS_FEAT_COMPAT_JOURNAL 0x1u
/** @brief Compatible features this library knows. */
#define SFS_FEAT_COMPAT_KNOWN SFS_FEAT_COMPAT_JOURNAL
/**
 * @brief Incompatible feature: the journal region holds a write-ahead redo
 * log (replayed at mount) and the superblock/inodes carry the orphan list.
 * Readers that do not know it must refuse the volume.
 */
#define SFS_FEAT_INCOMPAT_JOURNAL 0x1u
/**
 * @brief Incompatible feature: POSIX inodes. Timestamps carry nanoseconds
 * (SFS_TIME_* packing of the three time fields), inodes may be FIFOs,
 * character or block devices or sockets (SFS_S_IFIFO ..., with SFS_I_RDEV),
 * and symbolic-link targets may be up to SFS_SYMLINK_MAX_POSIX bytes. Readers
 * that do not know it must refuse the volume: they would read the packed
 * times as seconds and the new inode types as corruption.
 */
#define SFS_FEAT_INCOMPAT_POSIX 0x2u
/** @brief Incompatible features this library knows. */
#define SFS_FEAT_INCOMPAT_KNOWN (SFS_FEAT_INCOMPAT_JOURNAL | SFS_FEAT_INCOMPAT_POSIX)
/** @brief Read-only-compatible features this library knows (none yet). */
#define SFS_FEAT_RO_COMPAT_KNOWN 0u

/** @brief Bytes per on-disk inode. */
#define SFS_INODE_SIZE 128u
/** @brief Inode number of the root directory. */
#define SFS_ROOT_INO 1u
/** @brief Direct block pointers per inode. */
#define SFS_NDIRECT 12
/* Inode field offsets. */
#define SFS_I_MODE      0   /**< u16 type and permission bits */
#define SFS_I_NLINK     2   /**< u16 link count */
#define SFS_I_UID       4   /**< u32 owner */
#define SFS_I_GID       8   /**< u32 group */
#define SFS_I_BLOCKS    12  /**< u32 blocks owned (data + indirect) */
#define SFS_I_SIZE      16  /**< u64 size in bytes */
#define SFS_I_ATIME     24  /**< u64 access time (seconds; POSIX volumes: packed, SFS_TIME_*) */
#define SFS_I_MTIME     32  /**< u64 modification time (likewise) */
#define SFS_I_CTIME     40  /**< u64 change time (likewise) */
#define SFS_I_DIRECT    48  /**< u32[12] direct pointers */
#define SFS_I_IND1      96  /**< u32 single-indirect pointer */
#define SFS_I_IND2      100 /**< u32 double-indirect pointer */
#define SFS_I_IND3      104 /**< u32 triple-indirect pointer */
#define SFS_I_DIR_SLOTS 108 /**< u32 directories: slots in use or free (high-water mark) */
#define SFS_I_DIR_FREE  112 /**< u32 directories: first free slot + 1 (0: none) */
#define SFS_I_DIR_COUNT 116 /**< u32 directories: live entries including . and .. */
#define SFS_I_DIR_ICAP  120 /**< u32 directories: index capacity in entries (power of two) */
#define SFS_I_FLAGS     124 /**< u32 reserved, zero (journaled volumes: SFS_I_ORPHAN_NEXT) */
/**
 * @brief u64 in FIFO, device and socket inodes (SFS_FEAT_INCOMPAT_POSIX): the
 * device number as the creator gave it, in place of the first two direct
 * pointers (such inodes own no blocks).
 */
#define SFS_I_RDEV 48

/*
 * Time packing on SFS_FEAT_INCOMPAT_POSIX volumes: each u64 time field holds
 * (seconds << 30) | nanoseconds, seconds being a signed 34-bit count from the
 * Unix epoch (two's complement in bits 30..63). Without the feature the field
 * is plain u64 seconds.
 */
/** @brief Bits of nanoseconds in a packed time. */
#define SFS_TIME_NSEC_BITS 30
/** @brief Earliest second a packed time holds (-2^33: year 1697). */
#define SFS_TIME_SEC_MIN (-(1ll << 33))
/** @brief Latest second a packed time holds (2^33 - 1: year 2242). */
#define SFS_TIME_SEC_MAX ((1ll << 33) - 1)

/** @brief u32 on journaled volumes: next orphan inode (0: not an orphan; SFS_ORPHAN_END: last). */
#define SFS_I_ORPHAN_NEXT 124
/** @brief SFS_I_ORPHAN_NEXT value of the last inode on the orphan list. */
#define SFS_ORPHAN_END 0xFFFFFFFFu

/** @brief File type mask in the mode. */
#define SFS_S_IFMT 0xF000u
/** @brief Regular file. */
#define SFS_S_IFREG 0x8000u
/** @brief Directory. */
#define SFS_S_IFDIR 0x4000u
/** @brief Symbolic link. */
#define SFS_S_IFLNK 0xA000u
/** @brief FIFO (SFS_FEAT_INCOMPAT_POSIX volumes). */
#define SFS_S_IFIFO 0x1000u
/** @brief Character device (SFS_FEAT_INCOMPAT_POSIX volumes). */
#define SFS_S_IFCHR 0x2000u
/** @brief Block device (SFS_FEAT_INCOMPAT_POSIX volumes). */
#define SFS_S_IFBLK 0x6000u
/** @brief Socket (SFS_FEAT_INCOMPAT_POSIX volumes). */
#define SFS_S_IFSOCK 0xC000u
/** @brief Set-user-ID bit. */
#define SFS_S_ISUID 04000u
/** @brief Set-group-ID bit (on a directory: new entries inherit its group). */
#define SFS_S_ISGID 02000u
/** @brief Sticky bit. */
#define SFS_S_ISVTX 01000u

/** @brief Longest symbolic-link target on a volume without SFS_FEAT_INCOMPAT_POSIX. */
#define SFS_SYMLINK_MAX_V1 1023u
/** @brief Longest symbolic-link target on a volume with SFS_FEAT_INCOMPAT_POSIX. */
#define SFS_SYMLINK_MAX_POSIX 4095u

/** @brief Longest name in a directory entry, in bytes. */
#define SFS_NAME_MAX 255u
/** @brief Bytes per directory slot. */
#define SFS_DIRENT_SIZE 264u
#define SFS_DE_INO      0 /**< u32 inode (0: free slot) */
#define SFS_DE_NAME_LEN 4 /**< u8 name length (1..255) */
#define SFS_DE_TYPE     5 /**< u8 SFS_DT_* of the target */
#define SFS_DE_NAME     6 /**< name bytes (no NUL, no '/') */
#define SFS_DE_NEXTFREE 8 /**< u32 in a free slot: next free slot + 1 (0: end) */

/** @brief Directory entry type: regular file. */
#define SFS_DT_REG 1
/** @brief Directory entry type: directory. */
#define SFS_DT_DIR 2
/** @brief Directory entry type: character device. */
#define SFS_DT_CHR 3
/** @brief Directory entry type: block device. */
#define SFS_DT_BLK 4
/** @brief Directory entry type: FIFO. */
#define SFS_DT_FIFO 5
/** @brief Directory entry type: socket. */
#define SFS_DT_SOCK 6
/** @brief Directory entry type: symbolic link. */
#define SFS_DT_LNK 7

/** @brief Bytes per directory-index entry: u32 name hash, u32 slot + 1 (0: empty). */
#define SFS_DIDX_SIZE 8u
/** @brief Logical block of a directory where its hash index begins (2^20). */
#define SFS_DIDX_BASE (1ull << 20)

/* ---- Journal (SFS_FEAT_INCOMPAT_JOURNAL), in blocks journal_start ... ---- */
/** @brief Journal superblock magic, at journal block 0 ("SFSJ"). */
#define SFS_JSB_MAGIC 0x4A534653u
/** @brief Descriptor block magic, at journal block 1 ("SFSD"). */
#define SFS_JDESC_MAGIC 0x44534653u
/** @brief Commit block magic, after the logged blocks ("SFSC"). */
#define SFS_JCOMMIT_MAGIC 0x43534653u
#define SFS_J_MAGIC       0 /**< u32 block magic (all three journal block kinds) */
#define SFS_J_SEQ         4 /**< u32 transaction sequence number (journal superblock: next to replay) */
#define SFS_J_COUNT       8 /**< u32 logged blocks (descriptor, commit); journal_blocks (superblock) */
#define SFS_J_CRC_DESC    12 /**< u32 commit: CRC-32 of the descriptor block's checksummed bytes */
#define SFS_J_ENTRIES     16 /**< descriptor: u32 home of each logged block (SFS_J_REVOKED: skip) */
#define SFS_J_HDR_CRC     16 /**< journal superblock and commit: u32 CRC-32 of bytes 0..15 */
/** @brief Descriptor entry of a block freed after it was logged: not replayed. */
#define SFS_J_REVOKED 0xFFFFFFFFu
/** @brief Smallest journal that is used (superblock, descriptor, one block, commit). */
#define SFS_J_MIN_BLOCKS 4u

#endif
