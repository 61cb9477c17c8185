/*
 * sfs_repair_priv.h - state shared by the two halves of the repair layer.
 *
 *   sfs_repair.c     the driver (sfs_repair()), pass 1 (inodes and block
 *                    maps) and pass 2 (bitmaps and free counts);
 *   sfs_repair_dir.c passes 3 to 5: directories, reconnection to
 *                    /lost+found, "..", link counts.
 *
 * struct rep is the state of one repair run. It lives on the driver's stack;
 * its arrays point into the work memory repair_locked() owns for the run.
 * Every function here assumes the volume lock is held.
 */
#ifndef SFS_REPAIR_PRIV_H
#define SFS_REPAIR_PRIV_H

#include <sfs/sfs_check.h>
#include "sfs_priv.h"

/* st[]: per inode, the SFS_DT_* type of an inode in use (0: free). */
#define ST_REG   SFS_DT_REG
#define ST_DIR   SFS_DT_DIR
#define ST_LNK   SFS_DT_LNK
#define ST_TYPE  7u
#define ST_DIRTY 8u /* a directory whose block map pass 1 changed */

struct rep {
    struct sfs *fs;
    sfs_check_report_fn report;
    void *ctx;
    struct sfs_repair_result res;
    uint32_t *parent;  /* directory holding each directory's name */
    uint32_t *refs;    /* names of each inode (not . or ..) */
    uint32_t *subdirs; /* subdirectory names in each directory */
    uint8_t *st;
    uint8_t *reach; /* pass 4: 0 unknown, 1 reachable, 2 given up, 3 being walked */
    uint8_t *claimed;
    /* pass 1, the current inode */
    uint32_t nblocks;
    uint64_t limit, idx_limit, top;
    bool changed;
    uint32_t lf; /* /lost+found, 0 until found or made */
};

/* A problem was fixed: count it and report it. */
static inline void fixed(struct rep *rp, int code, uint32_t ino, uint64_t a, uint64_t b)
{
    struct sfs_check_problem p = { code, ino, a, b };
    rp->res.fixed++;
    if (rp->report)
        rp->report(rp->ctx, &p);
}

/* A failure that stops one fix: count it and go on, unless the device or
 * memory failed. */
static inline int soft(struct rep *rp, int r)
{
    if (r >= 0)
        return 0;
    if (r == SFS_EIO || r == SFS_ENOMEM)
        return r;
    rp->res.left++;
    return 0;
}

/* Room in the running transaction for a step of @blocks blocks. */
static inline int need(struct rep *rp, uint64_t blocks)
{
    uint64_t cap = rp->fs->jcap / 2;
    if (blocks > cap)
        blocks = cap;
    return sfs_txn_need(rp->fs, blocks, blocks);
}

/* Pass 3: check, or rebuild, directory @ino and settle its entries. */
int sfs_repair_pass3_dir(struct rep *rp, uint32_t ino);
/* Pass 4: make directory @d reachable from the root (/lost+found if need be). */
int sfs_repair_pass4_resolve(struct rep *rp, uint32_t d);
/* Pass 5: "..", the link count, and a name for an unnamed file. */
int sfs_repair_pass5_inode(struct rep *rp, uint32_t ino);

#endif
