/*
 * sfs_repair_dir.c - repair layer, namespace half: passes 3 to 5 of
 * sfs_repair() (the driver, passes 1 and 2 and the overview are in
 * sfs_repair.c; the shared state, struct rep, in sfs_repair_priv.h).
 *
 * Interface: sfs_repair_pass3_dir(), sfs_repair_pass4_resolve() and
 * sfs_repair_pass5_inode(), called by the driver in inode order (3 and 4 on
 * each directory, 5 on each inode in use), after pass 2 has rewritten the
 * bitmaps, so allocating here is safe.
 *   3. a directory whose structure is unsound is rebuilt from its slot array;
 *      then its entries are settled, fixing each directory's one parent and
 *      the name count of every inode;
 *   4. a directory the root cannot reach is cut loose and named "#<ino>" in
 *      /lost+found, which is found or made on first use (rp->lf);
 *   5. "..", link counts; an unnamed file with data goes to /lost+found, an
 *      empty one is freed.
 *
 * Owns nothing: it reads and updates the per-inode arrays of struct rep and
 * writes through the directory and inode layers, as ordinary logged changes.
 * Reachability is settled once per directory (rp->reach), so chains and cycles
 * cost O(inodes). Errors follow soft(): only SFS_EIO and SFS_ENOMEM stop the
 * repair.
 */
#include "sfs_repair_priv.h"

static uint32_t st_dt(uint8_t st)
{
    return st & ST_TYPE; /* the states are the directory-entry types */
}

/* ---- pass 3: directories ---- */

static bool is_dot(const struct sfs_dslot *e)
{
    return e->name_len == 1 && e->name[0] == '.';
}

static bool is_dotdot(const struct sfs_dslot *e)
{
    return e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.';
}

/* Is @dp's structure sound (what check_dir() in sfs_check.c verifies)? */
static int dir_sound(struct rep *rp, struct sfs_inode *dp, bool *ok)
{
    struct sfs *fs = rp->fs;
    struct sfs_inode chk;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    *ok = false;
    int r = sfs_inode_read(fs, dp->ino, &chk);
    if (r == SFS_ECORRUPT || (rp->st[dp->ino] & ST_DIRTY) || dp->dir_slots < 2)
        return 0;
    if (r < 0)
        return r;
    for (uint32_t l = 0; l < (dp->dir_slots + spb - 1) / spb; l++) {
        uint32_t pblk;
        r = sfs_bmap(fs, dp, l, SFS_MAP_LOOKUP, &pblk);
        if (r < 0 || !pblk)
            return r == SFS_ECORRUPT ? 0 : r;
    }
    uint32_t live = 0, entries = 0;
    bool room = false;
    for (uint32_t i = 0; i < dp->dir_icap; i++) {
        uint32_t h, s1;
        struct sfs_dslot e;
        r = sfs_dir_index_get(fs, dp, i, &h, &s1);
        if (r == 0 && !s1) {
            room = true;
            continue;
        }
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s1 - 1, &e);
        if (r < 0)
            return r == SFS_ECORRUPT ? 0 : r;
        if (!e.ino || sfs_name_hash(e.name, e.name_len) != h)
            return 0;
        entries++;
    }
    if (!room)
        return 0;
    for (uint32_t s = 0; s < dp->dir_slots; s++) {
        struct sfs_dslot e;
        r = sfs_dir_read_slot(fs, dp, s, &e);
        if (r < 0)
            return r == SFS_ECORRUPT ? 0 : r;
        if (!e.ino) {
            if (s < 2)
                return 0;
            continue;
        }
        live++;
        if (s == 0   ? !is_dot(&e) || e.ino != dp->ino
            : s == 1 ? !is_dotdot(&e)
                     : is_dot(&e) || is_dotdot(&e))
            return 0;
        uint32_t found, fslot;
        r = sfs_dir_lookup(fs, dp, e.name, e.name_len, &found, &fslot);
        if (r < 0 || fslot != s)
            return r == SFS_ECORRUPT || r == SFS_ENOENT || r == 0 ? 0 : r;
    }
    if (live != dp->dir_count || entries != live)
        return 0;
    uint32_t f = dp->dir_free, steps = 0;
    while (f) {
        struct sfs_dslot e;
        if (f > dp->dir_slots || steps++ > dp->dir_slots)
            return 0;
        r = sfs_dir_read_slot(fs, dp, f - 1, &e);
        if (r < 0 || e.ino)
            return r == SFS_ECORRUPT || r == 0 ? 0 : r;
        f = e.type; /* the next free link */
    }
    *ok = true;
    return 0;
}

static uint32_t index_cap(const struct sfs *fs, uint32_t slots)
{
    uint64_t cap = fs->block_size / SFS_DIDX_SIZE;
    while (cap <= 2ull * slots)
        cap <<= 1;
    return (uint32_t)cap;
}

/* Rebuild @dp's structure from its slot array. */
static int dir_rebuild(struct rep *rp, struct sfs_inode *dp)
{
    struct sfs *fs = rp->fs;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    uint64_t bound = ((uint64_t)dp->dir_slots + spb - 1) / spb, nsb = 0;
    if (bound > SFS_DIDX_BASE)
        bound = SFS_DIDX_BASE;
    int r;
    for (uint64_t l = bound; l > 0 && !nsb; l--) {
        uint32_t pblk;
        r = sfs_bmap(fs, dp, l - 1, SFS_MAP_LOOKUP, &pblk);
        if (r < 0)
            return r;
        if (pblk)
            nsb = l;
    }
    if (!nsb)
        nsb = 1;
    uint32_t slots = bound == nsb && dp->dir_slots >= 2 ? dp->dir_slots : (uint32_t)nsb * spb;
    /* Fill holes in the slot array (zeroed blocks are free slots). */
    for (uint64_t l = 0; l < nsb; l++) {
        uint32_t pblk;
        r = need(rp, 8);
        if (r == 0)
            r = sfs_bmap(fs, dp, l, SFS_MAP_ALLOC, &pblk);
        if (r < 0)
            return r;
    }
    /* A new index, big enough for every slot: it is never rebuilt below. */
    r = need(rp, 64);
    if (r == 0)
        r = sfs_free_range(fs, dp, SFS_DIDX_BASE, UINT64_MAX);
    if (r < 0)
        return r;
    struct sfs_dslot dd;
    r = sfs_dir_read_slot(fs, dp, 1, &dd);
    uint32_t up = r == 0 && dd.ino && (rp->st[dd.ino] & ST_TYPE) == ST_DIR ? dd.ino : SFS_ROOT_INO;
    if (r < 0 && r != SFS_ECORRUPT && r != SFS_EINVAL)
        return r;
    dp->dir_slots = slots;
    dp->dir_icap = index_cap(fs, slots);
    dp->size = nsb * fs->block_size;
    uint32_t live = 2;
    r = sfs_dir_slot_write(fs, dp, 0, dp->ino, SFS_DT_DIR, ".", 1, 0);
    if (r == 0)
        r = sfs_dir_slot_write(fs, dp, 1, up, SFS_DT_DIR, "..", 2, 0);
    if (r == 0)
        r = sfs_dir_index_insert(fs, dp, ".", 1, 0);
    if (r == 0)
        r = sfs_dir_index_insert(fs, dp, "..", 2, 1);
    for (uint32_t s = 2; s < slots && r == 0; s++) {
        struct sfs_dslot e;
        r = need(rp, 8);
        if (r == 0)
            r = sfs_inode_write(fs, dp);
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s, &e);
        uint32_t found;
        bool drop = r == SFS_ECORRUPT;
        if (r == 0 && e.ino) {
            drop = is_dot(&e) || is_dotdot(&e) ||
                   sfs_dir_lookup(fs, dp, e.name, e.name_len, &found, NULL) != SFS_ENOENT;
        }
        if (r < 0 && r != SFS_ECORRUPT)
            return r;
        r = 0;
        if (drop) {
            fixed(rp, SFS_CHK_DIRENT, dp->ino, s, 0);
            r = sfs_dir_slot_write(fs, dp, s, 0, 0, NULL, 0, 0);
        } else if (e.ino) {
            r = sfs_dir_slot_write(fs, dp, s, e.ino, e.type, e.name, e.name_len, 0);
            if (r == 0)
                r = sfs_dir_index_insert(fs, dp, e.name, e.name_len, s);
            live++;
        }
    }
    /* The free list, lowest slot first. */
    uint32_t head = 0;
    for (uint32_t s = slots; s > 2 && r == 0; s--) {
        struct sfs_dslot e;
        r = need(rp, 4);
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s - 1, &e);
        if (r == 0 && !e.ino) {
            r = sfs_dir_slot_write(fs, dp, s - 1, 0, 0, NULL, 0, head);
            head = s;
        }
    }
    dp->dir_free = head;
    dp->dir_count = live;
    fixed(rp, SFS_CHK_DIR_REBUILT, dp->ino, live, slots);
    int w = sfs_inode_write(fs, dp);
    return r < 0 ? r : w;
}

/* Drop the entry of @dp in slot @s (named in @e). */
static int drop_entry(struct rep *rp, struct sfs_inode *dp, const struct sfs_dslot *e)
{
    int r = need(rp, 16);
    return r < 0 ? r : sfs_dir_remove(rp->fs, dp, e->name, e->name_len);
}

/* Settle each entry of a sound directory; count names and parents. */
static int dir_entries(struct rep *rp, struct sfs_inode *dp)
{
    struct sfs *fs = rp->fs;
    for (uint32_t s = 2; s < dp->dir_slots; s++) {
        struct sfs_dslot e;
        int r = sfs_dir_read_slot(fs, dp, s, &e);
        if (r < 0) {
            if ((r = soft(rp, r)) < 0)
                return r;
            continue;
        }
        if (!e.ino)
            continue;
        uint32_t t = e.ino;
        uint8_t ts = rp->st[t] & ST_TYPE;
        if (!ts || t == SFS_ROOT_INO || (ts == ST_DIR && rp->parent[t])) {
            fixed(rp, !ts ? SFS_CHK_INODE_FREE : SFS_CHK_DIR_LINKS, t, dp->ino, s);
            if ((r = soft(rp, drop_entry(rp, dp, &e))) < 0)
                return r;
            continue;
        }
        if (e.type != st_dt(ts)) {
            fixed(rp, SFS_CHK_DIRENT, dp->ino, s, e.type);
            r = need(rp, 4);
            if (r == 0)
                r = sfs_dir_set_ino(fs, dp, s, t, st_dt(ts));
            if ((r = soft(rp, r)) < 0)
                return r;
        }
        if (ts == ST_DIR) {
            rp->parent[t] = dp->ino;
            rp->subdirs[dp->ino]++;
        }
        rp->refs[t]++;
    }
    return 0;
}

int sfs_repair_pass3_dir(struct rep *rp, uint32_t ino)
{
    struct sfs_inode dp;
    int r = sfs_inode_read_raw(rp->fs, ino, &dp);
    bool ok = false;
    if (r == 0)
        r = dir_sound(rp, &dp, &ok);
    if (r == 0 && !ok)
        r = dir_rebuild(rp, &dp);
    if (r == 0)
        r = dir_entries(rp, &dp);
    return soft(rp, r);
}

/* ---- passes 4 and 5: reconnection, "..", link counts ---- */

static const char lf_name[] = "lost+found";

/* Find or make /lost+found; 0 if there is none to be had. */
static uint32_t lost_found(struct rep *rp)
{
    struct sfs *fs = rp->fs;
    if (rp->lf)
        return rp->lf;
    struct sfs_inode root;
    uint32_t ino;
    if (sfs_inode_read(fs, SFS_ROOT_INO, &root) < 0)
        return 0;
    int r = sfs_dir_lookup(fs, &root, lf_name, sizeof(lf_name) - 1, &ino, NULL);
    if (r == 0) {
        if ((rp->st[ino] & ST_TYPE) != ST_DIR || rp->parent[ino] != SFS_ROOT_INO)
            return 0;
    } else if (r != SFS_ENOENT || need(rp, 64) < 0 ||
               sfs_create_in(fs, SFS_ROOT_INO, lf_name, sizeof(lf_name) - 1, SFS_S_IFDIR | 0700,
                             NULL, &ino) < 0) {
        return 0;
    } else {
        rp->st[ino] = ST_DIR;
        rp->parent[ino] = SFS_ROOT_INO;
        rp->subdirs[SFS_ROOT_INO]++;
    }
    rp->reach[ino] = 1;
    rp->lf = ino;
    return ino;
}

/* Name @ino "#<ino>" (or "#<ino>.<n>") in /lost+found. */
static int reconnect(struct rep *rp, uint32_t ino)
{
    struct sfs *fs = rp->fs;
    uint32_t lf = lost_found(rp);
    if (!lf)
        return SFS_ENOENT;
    struct sfs_inode d;
    int r = sfs_inode_read(fs, lf, &d);
    if (r < 0)
        return r;
    char name[32];
    for (uint32_t n = 0;; n++) {
        char tmp[24];
        size_t len = 0, t = 0;
        name[len++] = '#';
        for (uint32_t v = ino; v || !t; v /= 10)
            tmp[t++] = (char)('0' + v % 10);
        while (t)
            name[len++] = tmp[--t];
        if (n) {
            name[len++] = '.';
            for (uint32_t v = n; v; v /= 10)
                tmp[t++] = (char)('0' + v % 10);
            while (t)
                name[len++] = tmp[--t];
        }
        uint32_t other;
        r = sfs_dir_lookup(fs, &d, name, len, &other, NULL);
        if (r == SFS_ENOENT) {
            r = need(rp, 64);
            if (r == 0)
                r = sfs_dir_reserve(fs, &d);
            if (r == 0)
                r = sfs_dir_add(fs, &d, name, len, ino, st_dt(rp->st[ino]));
            break;
        }
        if (r < 0)
            break;
    }
    if (r == 0)
        fixed(rp, SFS_CHK_RECONNECT, ino, lf, 0);
    return r;
}

/* Remove the name of directory @ino from @dir (breaking a cycle). */
static int unlink_from(struct rep *rp, uint32_t dir, uint32_t ino)
{
    struct sfs_inode dp;
    int r = sfs_inode_read(rp->fs, dir, &dp);
    for (uint32_t s = 2; r == 0 && s < dp.dir_slots; s++) {
        struct sfs_dslot e;
        r = sfs_dir_read_slot(rp->fs, &dp, s, &e);
        if (r == 0 && e.ino == ino)
            return drop_entry(rp, &dp, &e);
    }
    return r < 0 ? r : SFS_ENOENT;
}

static void settle(struct rep *rp, uint32_t from, uint8_t verdict)
{
    for (uint32_t x = from, n = 0; x && rp->reach[x] == 3 && n++ < rp->fs->inode_count;
         x = rp->parent[x])
        rp->reach[x] = verdict;
}

/* Make directory @d reachable from the root. */
int sfs_repair_pass4_resolve(struct rep *rp, uint32_t d)
{
    uint32_t x = d;
    rp->reach[SFS_ROOT_INO] = 1;
    while (rp->reach[x] == 0) {
        rp->reach[x] = 3;
        if (!rp->parent[x])
            break;
        x = rp->parent[x];
    }
    if (rp->reach[x] == 1 || rp->reach[x] == 2) {
        settle(rp, d, rp->reach[x]);
        return 0;
    }
    /* x heads a parentless chain, or sits on a cycle: cut it loose, then name
     * it in /lost+found. */
    uint32_t old = rp->parent[x];
    fixed(rp, SFS_CHK_UNREACHABLE, x, old, 0);
    int r = 0;
    if (old) {
        r = unlink_from(rp, old, x);
        if (r == 0) {
            rp->subdirs[old]--;
            rp->parent[x] = 0;
        }
    }
    if (r == 0)
        r = reconnect(rp, x);
    if (r == 0) {
        rp->parent[x] = rp->lf;
        rp->subdirs[rp->lf]++;
    }
    uint8_t verdict = r == 0 ? 1 : 2;
    if (r != 0) {
        rp->reach[x] = 2;
        old = rp->parent[x];
    }
    settle(rp, d, verdict);
    settle(rp, old, verdict); /* the rest of a cycle hangs from x */
    return soft(rp, r);
}

int sfs_repair_pass5_inode(struct rep *rp, uint32_t ino)
{
    struct sfs *fs = rp->fs;
    struct sfs_inode ip;
    int r = need(rp, 64);
    if (r == 0)
        r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return soft(rp, r);
    if ((rp->st[ino] & ST_TYPE) == ST_DIR) {
        uint32_t up = ino == SFS_ROOT_INO ? ino : rp->parent[ino];
        struct sfs_dslot e;
        r = sfs_dir_read_slot(fs, &ip, 1, &e);
        if (r == 0 && up && e.ino != up) {
            fixed(rp, SFS_CHK_DOTDOT, ino, e.ino, up);
            r = sfs_dir_set_ino(fs, &ip, 1, up, SFS_DT_DIR);
        }
        uint64_t want = 2ull + rp->subdirs[ino];
        if (r == 0 && want > SFS_LINK_MAX)
            r = SFS_EMLINK;
        if (r == 0 && ip.nlink != want) {
            fixed(rp, SFS_CHK_NLINK, ino, ip.nlink, want);
            ip.nlink = (uint32_t)want;
            r = sfs_inode_write(fs, &ip);
        }
        return soft(rp, r);
    }
    if (rp->refs[ino] == 0) {
        if (ip.size == 0 && ip.blocks == 0) {
            fixed(rp, SFS_CHK_FREED, ino, ip.nlink, 0);
            rp->st[ino] = 0;
            ip.nlink = 0;
            return soft(rp, sfs_inode_destroy(fs, &ip));
        }
        r = reconnect(rp, ino);
        if (r < 0)
            return soft(rp, r);
        rp->refs[ino] = 1;
    }
    if (rp->refs[ino] > SFS_LINK_MAX)
        return soft(rp, SFS_EMLINK);
    if (ip.nlink != rp->refs[ino]) {
        fixed(rp, SFS_CHK_NLINK, ino, ip.nlink, rp->refs[ino]);
        ip.nlink = rp->refs[ino];
        r = sfs_inode_write(fs, &ip);
    }
    return soft(rp, r);
}
