/*
 * test_check.c - checker layer and corrupt images: each hand-made corruption
 * is reported with its specific problem code, and operations on corrupt
 * volumes fail with an error instead of crashing or looping; random byte
 * corruption of metadata never crashes the library (ASan watches).
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *check_suite(void);

struct seen {
    int count[32];
    int total;
};

static struct sfs_check_problem last_io;

static void collect(void *ctx, const struct sfs_check_problem *p)
{
    struct seen *s = ctx;
    if (p->code == SFS_CHK_IO)
        last_io = *p;
    if (p->code > 0 && p->code < 32)
        s->count[p->code]++;
    s->total++;
}

static struct seen run_check(struct tfs *t)
{
    struct seen s;
    memset(&s, 0, sizeof(s));
    long n = sfs_check(&t->fs, NULL, 0, collect, &s);
    ck_assert_int_eq(n, s.total);
    return s;
}

/* A small populated volume. */
static void populate(struct tfs *t)
{
    /* No journal: these tests damage metadata behind the library's back, and
     * a journaled volume aborts at the first call that trips over it. */
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(t, 1u << 20, &o, 0);
    ck_assert_ok(sfs_mkdir(&t->fs, "/d", 0755));
    ck_assert_ok(sfs_mkdir(&t->fs, "/d/e", 0755));
    uint8_t buf[20000];
    tfs_fill(buf, sizeof(buf), 9);
    ck_assert_ok(tfs_put(t, "/d/big", buf, sizeof(buf)));
    ck_assert_ok(tfs_put(t, "/small", "abc", 3));
    ck_assert_ok(sfs_symlink(&t->fs, "/d/big", "/link"));
    ck_assert_int_eq(tfs_check(t), 0);
}

static void load(struct tfs *t, const char *path, struct sfs_inode *ip)
{
    struct sfs_res res;
    ck_assert_ok(sfs_resolve(&t->fs, SFS_ROOT_INO, path, 0, &res));
    ck_assert_ok(sfs_inode_read(&t->fs, res.ino, ip));
}

START_TEST(clean_volume_and_work_buffer)
{
    struct tfs t;
    populate(&t);
    size_t need = sfs_check_work_size(&t.fs);
    void *w = malloc(need);
    ck_assert_int_eq(sfs_check(&t.fs, w, need, NULL, NULL), 0);
    ck_assert_int_eq(sfs_check(&t.fs, w, need - 1, NULL, NULL), SFS_ENOMEM);
    free(w);
    ck_assert_int_eq(sfs_check(NULL, NULL, 0, NULL, NULL), SFS_EINVAL);
    for (int c = 0; c <= SFS_CHK_IO + 1; c++)
        ck_assert_ptr_nonnull(sfs_check_describe(c));
    ck_assert_str_eq(sfs_check_describe(999), "unknown problem");
    tfs_teardown(&t);
}
END_TEST

START_TEST(bitmap_problems)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode ip;
    load(&t, "/small", &ip);
    /* A used block marked free. */
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, ip.direct[0], 0));
    struct seen s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_BLOCK_FREE], 1);
    ck_assert_int_eq(s.count[SFS_CHK_FREE_BLOCKS], 1);
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, ip.direct[0], 1));
    /* A free block marked used. */
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, t.fs.total_blocks - 1, 1));
    s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_BLOCK_LEAK], 1);
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, t.fs.total_blocks - 1, 0));
    /* A metadata block marked free. */
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, 2, 0));
    s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_META_FREE], 1);
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, 2, 1));
    /* Superblock counters. */
    t.fs.free_blocks--;
    t.fs.free_inodes++;
    s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_FREE_BLOCKS], 1);
    ck_assert_int_eq(s.count[SFS_CHK_FREE_INODES], 1);
    t.fs.free_blocks++;
    t.fs.free_inodes--;
    ck_assert_int_eq(run_check(&t).total, 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(inode_problems)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode ip, saved;
    load(&t, "/d/big", &saved);
    /* Wrong link count. */
    ip = saved;
    ip.nlink = 3;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_NLINK], 1);
    /* Wrong block count. */
    ip = saved;
    ip.blocks++;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_BLOCK_COUNT], 1);
    /* Blocks past the size. */
    ip = saved;
    ip.size = 100;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_SIZE], 1);
    /* A pointer out of range: reads fail cleanly, the checker says where. */
    ip = saved;
    ip.direct[3] = t.fs.total_blocks + 5;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    struct seen s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_BAD_PTR], 1);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/d/big", &d), 3 * 1024); /* a short read up to the bad block */
    free(d);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/d/big", SFS_O_RDONLY, 0));
    char c;
    ck_assert_int_eq(sfs_pread(&t.fs, &f, &c, 1, 3 * 1024), SFS_ECORRUPT);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ip.direct[3] = 1; /* metadata */
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_BAD_PTR], 1);
    /* A block owned twice. */
    struct sfs_inode small;
    load(&t, "/small", &small);
    ip = saved;
    ip.direct[3] = small.direct[0];
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_DUP_BLOCK], 1);
    ck_assert_int_eq(s.count[SFS_CHK_BLOCK_LEAK], 1); /* the real block 3 */
    ck_assert_ok(sfs_inode_write(&t.fs, &saved));
    ck_assert_int_eq(run_check(&t).total, 0);
    /* Bad type for an inode in use. */
    ip = saved;
    ip.mode = 0x1000;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_BAD_INODE], 1);
    ck_assert_int_ge(s.count[SFS_CHK_INODE_FREE], 1); /* the entry names a bad inode */
    ck_assert_int_eq(sfs_stat(&t.fs, "/d/big", &(struct sfs_stat){ 0 }), SFS_ECORRUPT);
    ck_assert_int_gt(t.log_lines, 0);
    ck_assert_ok(sfs_inode_write(&t.fs, &saved));
    /* An inode in use that nothing names. */
    struct sfs_inode orphan;
    ck_assert_ok(sfs_inode_new(&t.fs, SFS_S_IFREG | 0644, &orphan));
    orphan.nlink = 1;
    ck_assert_ok(sfs_inode_write(&t.fs, &orphan));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_INODE_LEAK], 1);
    /* Removing a file with a bad pointer stops at it with an error. */
    ip = saved;
    ip.direct[3] = t.fs.total_blocks + 5;
    ck_assert_ok(sfs_inode_write(&t.fs, &ip));
    ck_assert_int_eq(sfs_unlink(&t.fs, "/d/big"), SFS_ECORRUPT);
    tfs_teardown(&t);
}
END_TEST

START_TEST(directory_problems)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode d, saved, e;
    load(&t, "/d", &saved);
    load(&t, "/d/e", &e);
    /* Wrong entry count. */
    d = saved;
    d.dir_count--;
    ck_assert_ok(sfs_inode_write(&t.fs, &d));
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_DIR_COUNT], 1);
    ck_assert_ok(sfs_inode_write(&t.fs, &saved));
    /* "." and ".." pointing elsewhere. */
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &e, 0, SFS_ROOT_INO, SFS_DT_DIR));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_DOT], 1);
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &e, 0, e.ino, SFS_DT_DIR));
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &e, 1, SFS_ROOT_INO, SFS_DT_DIR));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_DOTDOT], 1);
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &e, 1, saved.ino, SFS_DT_DIR));
    ck_assert_int_eq(run_check(&t).total, 0);
    /* Entry type disagreeing with the inode. */
    uint32_t ino, slot;
    ck_assert_ok(sfs_dir_lookup(&t.fs, &saved, "big", 3, &ino, &slot));
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &saved, slot, ino, SFS_DT_LNK));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_DIRENT], 1);
    /* Entry naming a free inode. */
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &saved, slot, 40, SFS_DT_REG));
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_INODE_FREE], 1);
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &saved, slot, ino, SFS_DT_REG));
    ck_assert_int_eq(run_check(&t).total, 0);
    /* A bad name length in a slot: lookups report corruption, never crash. */
    uint32_t pblk, spb = 1024 / SFS_DIRENT_SIZE, so = (slot % spb) * SFS_DIRENT_SIZE;
    ck_assert_ok(sfs_bmap(&t.fs, &saved, slot / spb, SFS_MAP_LOOKUP, &pblk));
    struct sfs_buf *b;
    ck_assert_ok(sfs_bget(&t.fs, pblk, SFS_BGET_READ, &b));
    uint8_t old = b->data[so + SFS_DE_NAME_LEN];
    b->data[so + SFS_DE_NAME_LEN] = 0;
    sfs_bdirty(&t.fs, b);
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_DIRENT], 1);
    ck_assert_int_eq(sfs_stat(&t.fs, "/d/big", &(struct sfs_stat){ 0 }), SFS_ECORRUPT);
    ck_assert_int_eq(tfs_count(&t, "/d"), -1);
    b->data[so + SFS_DE_NAME_LEN] = old;
    b->data[so + SFS_DE_NAME] = '/';
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_DIRENT], 1);
    b->data[so + SFS_DE_NAME] = 'b';
    sfs_bput(&t.fs, b);
    ck_assert_int_eq(run_check(&t).total, 0);
    /* Index entry with the wrong hash: lookup misses it, checker reports it. */
    uint32_t h, s1, pos = 0;
    for (pos = 0; pos < saved.dir_icap; pos++) {
        ck_assert_ok(sfs_dir_index_get(&t.fs, &saved, pos, &h, &s1));
        if (s1 == slot + 1)
            break;
    }
    ck_assert_uint_lt(pos, saved.dir_icap);
    ck_assert_ok(sfs_bmap(&t.fs, &saved, SFS_DIDX_BASE, SFS_MAP_LOOKUP, &pblk));
    ck_assert_ok(sfs_bget(&t.fs, pblk, SFS_BGET_READ, &b));
    sfs_st32(b->data + pos * 8, h ^ 1);
    sfs_bdirty(&t.fs, b);
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_INDEX], 2);
    /* Index entry pointing past the slots. */
    sfs_st32(b->data + pos * 8, h);
    sfs_st32(b->data + pos * 8 + 4, 999);
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_INDEX], 1);
    ck_assert_int_eq(sfs_stat(&t.fs, "/d/big", &(struct sfs_stat){ 0 }), SFS_ECORRUPT);
    /* Index entry pointing at a free slot. */
    sfs_st32(b->data + pos * 8 + 4, 0);
    sfs_bput(&t.fs, b);
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_INDEX], 1);
    tfs_teardown(&t);
}
END_TEST

START_TEST(unreachable_directory)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode root;
    load(&t, "/", &root);
    /* Drop the name "d" without touching the inode: d leaks, d/e is unreachable. */
    ck_assert_ok(sfs_dir_remove(&t.fs, &root, "d", 1));
    struct seen s = run_check(&t);
    ck_assert_int_ge(s.count[SFS_CHK_INODE_LEAK], 1);
    ck_assert_int_ge(s.count[SFS_CHK_UNREACHABLE], 1);
    ck_assert_int_ge(s.count[SFS_CHK_NLINK], 1); /* root's count still includes d */
    tfs_teardown(&t);
}
END_TEST

START_TEST(second_name_for_directory)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode root, e;
    load(&t, "/", &root);
    load(&t, "/d/e", &e);
    ck_assert_ok(sfs_dir_add(&t.fs, &root, "alias", 5, e.ino, SFS_DT_DIR));
    struct seen s = run_check(&t);
    ck_assert_int_eq(s.count[SFS_CHK_DIR_LINKS], 1);
    tfs_teardown(&t);
}
END_TEST

START_TEST(open_unlinked_file_is_not_a_leak)
{
    struct tfs t;
    populate(&t);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/small", SFS_O_RDONLY, 0));
    ck_assert_ok(sfs_unlink(&t.fs, "/small"));
    ck_assert_int_eq(tfs_check(&t), 0);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(more_corruptions)
{
    struct tfs t;
    populate(&t);
    struct sfs_inode root, d, saved, lnk;
    load(&t, "/", &root);
    load(&t, "/d", &saved);
    /* The root's ".." must be the root. */
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &root, 1, saved.ino, SFS_DT_DIR));
    ck_assert_int_eq(run_check(&t).count[SFS_CHK_DOTDOT], 1);
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &root, 1, SFS_ROOT_INO, SFS_DT_DIR));
    /* A name for the root inside a subdirectory. */
    ck_assert_ok(sfs_dir_add(&t.fs, &saved, "r", 1, SFS_ROOT_INO, SFS_DT_DIR));
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_DIR_LINKS], 1);
    ck_assert_ok(sfs_dir_remove(&t.fs, &saved, "r", 1));
    ck_assert_int_eq(run_check(&t).total, 0);
    /* The free-slot list pointing at a live slot. */
    load(&t, "/d", &saved);
    d = saved;
    d.dir_free = 3; /* slot 2, "e" */
    ck_assert_ok(sfs_inode_write(&t.fs, &d));
    ck_assert_int_ge(run_check(&t).count[SFS_CHK_DIRENT], 1);
    ck_assert_int_eq(sfs_create(&t.fs, "/d/new", 0644), SFS_ECORRUPT);
    ck_assert_ok(sfs_inode_write(&t.fs, &saved));
    ck_assert_int_eq(run_check(&t).total, 0);
    /* A symlink whose target holds a NUL byte. */
    load(&t, "/link", &lnk);
    ck_assert_int_eq(sfs_inode_pwrite(&t.fs, &lnk, "\0", 1, 2), 1);
    ck_assert_ok(sfs_inode_write(&t.fs, &lnk));
    ck_assert_int_eq(sfs_stat(&t.fs, "/link", &(struct sfs_stat){ 0 }), SFS_ECORRUPT);
    /* An index entry naming a free slot makes lookups fail cleanly. */
    uint32_t ino, slot;
    ck_assert_ok(sfs_dir_lookup(&t.fs, &saved, "big", 3, &ino, &slot));
    uint32_t pblk, spb = 1024 / SFS_DIRENT_SIZE;
    ck_assert_ok(sfs_bmap(&t.fs, &saved, slot / spb, SFS_MAP_LOOKUP, &pblk));
    struct sfs_buf *b;
    ck_assert_ok(sfs_bget(&t.fs, pblk, SFS_BGET_READ, &b));
    sfs_st32(b->data + (slot % spb) * SFS_DIRENT_SIZE, 0);
    sfs_bdirty(&t.fs, b);
    sfs_bput(&t.fs, b);
    ck_assert_int_eq(sfs_stat(&t.fs, "/d/big", &(struct sfs_stat){ 0 }), SFS_ECORRUPT);
    ck_assert_int_gt(run_check(&t).total, 0);
    tfs_teardown(&t);
}
END_TEST

/* Flip random bytes anywhere in the metadata and directory blocks, then use
 * the volume: every call must return, nothing may crash. */
START_TEST(random_corruption_never_crashes)
{
    uint64_t x = 88172645463325252ull + (uint64_t)_i;
    const char *env = getenv("SFS_CORRUPT_ROUNDS");
    int rounds = env ? atoi(env) : 40;
    if (getenv("SFS_CORRUPT_SEED"))
        x += strtoull(getenv("SFS_CORRUPT_SEED"), NULL, 0);
    for (int round = 0; round < rounds; round++) {
        struct tfs t;
        populate(&t);
        for (int i = 0; i < 20; i++) {
            char name[32];
            snprintf(name, sizeof(name), "/d/e/n%d", i);
            ck_assert_ok(tfs_put(&t, name, name, strlen(name)));
        }
        uint32_t limit = t.fs.data_start + 40;
        ck_assert_ok(sfs_unmount(&t.fs));
        int flips = 1 + (int)(x % 16);
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t blk = 1 + x % (limit - 1);
            uint64_t off = (x >> 20) % 1024;
            t.rd.data[blk * 1024 + off] ^= (uint8_t)(1u << ((x >> 40) % 8));
        }
        if (round % 8 == 0) { /* the superblock too, with a valid checksum */
            t.rd.data[(x >> 30) % 124] ^= (uint8_t)(x >> 50);
            sfs_st32(t.rd.data + SFS_SB_CHECKSUM, sfs_crc32(0, t.rd.data, SFS_SB_CHECKSUM));
        }
        if (sfs_mount(&t.fs, &t.rd.dev, &t.cfg) == 0) {
            (void)sfs_check(&t.fs, NULL, 0, NULL, NULL);
            static const char *paths[] = { "/",      "/d",    "/d/e",    "/d/big",
                                           "/small", "/link", "/d/e/n3", "/d/e/n17" };
            for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                struct sfs_stat st;
                void *d = NULL;
                (void)sfs_stat(&t.fs, paths[i], &st);
                if (tfs_get(&t, paths[i], &d) >= 0)
                    free(d);
                (void)tfs_count(&t, paths[i]);
            }
            (void)sfs_create(&t.fs, "/d/e/new", 0644);
            (void)tfs_put(&t, "/d/new2", "zzz", 3);
            (void)sfs_rename(&t.fs, "/d/e/n5", "/moved");
            (void)sfs_rename(&t.fs, "/d/e", "/e2");
            (void)sfs_unlink(&t.fs, "/d/e/n7");
            (void)sfs_unlink(&t.fs, "/d/big");
            (void)sfs_mkdir(&t.fs, "/m", 0755);
            (void)sfs_rmdir(&t.fs, "/d/e");
            (void)sfs_truncate(&t.fs, "/small", 5000);
            (void)sfs_unmount(&t.fs);
        }
        ck_assert_int_eq(t.allocs, 0);
        sfs_ramdev_free(&t.rd);
    }
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(checking_is_bounded)
{
    /* A directory of 2,000 names whose index holds no empty entry (every
     * probe would scan it all), a second directory inode sharing its blocks,
     * and a chain of directories that is a cycle: each must be checked in
     * linear time (this took tens of seconds when each slot probed the
     * whole index, once per directory sharing it). */
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX,
                                 .inode_count = 4096 };
    tfs_setup_opts(&t, 8u << 20, &o, 64);
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    char name[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(name, sizeof(name), "/d/f%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    struct sfs_inode d, twin;
    load(&t, "/d", &d);
    uint32_t epb = 1024 / SFS_DIDX_SIZE;
    for (uint32_t i = 0; i < d.dir_icap; i += epb) {
        uint32_t pblk;
        ck_assert_ok(sfs_bmap(&t.fs, &d, SFS_DIDX_BASE + i / epb, SFS_MAP_LOOKUP, &pblk));
        struct sfs_buf *b;
        ck_assert_ok(sfs_bget(&t.fs, pblk, SFS_BGET_READ, &b));
        for (uint32_t k = 0; k < epb; k++) {
            sfs_st32(b->data + k * SFS_DIDX_SIZE, 7);
            sfs_st32(b->data + k * SFS_DIDX_SIZE + 4, 1);
        }
        sfs_bdirty(&t.fs, b);
        sfs_bput(&t.fs, b);
    }
    /* Three more directory inodes that share /d's blocks. */
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof(name), "/twin%d", k);
        ck_assert_ok(sfs_mkdir(&t.fs, name, 0755));
        load(&t, name, &twin);
        uint32_t ino = twin.ino;
        twin = d;
        twin.ino = ino;
        ck_assert_ok(sfs_inode_write(&t.fs, &twin));
    }
    /* A cycle: /a/b's ".." and /a's parent entry point round. */
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/b", 0755));
    struct sfs_inode a, b, root;
    load(&t, "/a", &a);
    load(&t, "/a/b", &b);
    load(&t, "/", &root);
    ck_assert_ok(sfs_dir_remove(&t.fs, &root, "a", 1));
    ck_assert_ok(sfs_dir_add(&t.fs, &b, "loop", 4, a.ino, SFS_DT_DIR));
    double t0 = now_s();
    struct seen s = run_check(&t);
    double dt = now_s() - t0;
    ck_assert_int_gt(s.count[SFS_CHK_INDEX], 0);
    ck_assert_int_gt(s.count[SFS_CHK_DUP_BLOCK], 0);
    ck_assert_int_gt(s.count[SFS_CHK_UNREACHABLE], 0);
    fprintf(stderr, "check: full index + shared blocks + cycle: %ld problems in %.3f s\n",
            (long)s.total, dt);
    ck_assert_msg(dt < 1.0, "check took %.2f s", dt);
    tfs_teardown(&t);
}
END_TEST

START_TEST(failed_inode_read_reports_the_block)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(&t, 1u << 20, &o, 0);
    char name[16];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "/f%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    ck_assert_ok(sfs_unmount(&t.fs));
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    /* The third inode-table block (inodes 16..23) is not cached: fail it. */
    uint32_t itable = t.fs.itable_start + 2;
    t.rd.bad_sector = (int64_t)itable * 2;
    struct seen s = run_check(&t);
    ck_assert_int_gt(s.count[SFS_CHK_IO], 0);
    ck_assert_uint_eq(last_io.a, itable);
    ck_assert_int_eq((int64_t)last_io.b, SFS_EIO);
    sfs_ramdev_heal(&t.rd);
    tfs_teardown(&t);
}
END_TEST

Suite *check_suite(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, clean_volume_and_work_buffer);
    tcase_add_test(tc, bitmap_problems);
    tcase_add_test(tc, inode_problems);
    tcase_add_test(tc, directory_problems);
    tcase_add_test(tc, unreachable_directory);
    tcase_add_test(tc, second_name_for_directory);
    tcase_add_test(tc, more_corruptions);
    tcase_add_test(tc, open_unlinked_file_is_not_a_leak);
    tcase_add_loop_test(tc, random_corruption_never_crashes, 0, 5);
    tcase_add_test(tc, checking_is_bounded);
    tcase_add_test(tc, failed_inode_read_reports_the_block);
    suite_add_tcase(s, tc);
    return s;
}
