/*
 * test_repair.c - repair layer (sfs_repair(), fsck -y): every hand-made
 * corruption of test_check.c is repaired and the volume then checks clean,
 * on disk too (after a remount), and a second repair finds nothing to do;
 * thousands of random bit flips in metadata either repair to a clean volume,
 * are reported as left uncorrected, or make the mount refuse the volume -
 * never a crash (ASan and UBSan watch).
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *repair_suite(void);

static void quiet(void *ctx, const struct sfs_check_problem *p)
{
    int *n = ctx;
    (*n)++;
    if (getenv("SFS_TEST_LOG"))
        fprintf(stderr, "fixed: %s (code %d) ino %u a=%llu b=%llu\n", sfs_check_describe(p->code),
                p->code, p->ino, (unsigned long long)p->a, (unsigned long long)p->b);
}

/* Repair; it must leave nothing, check clean before and after a remount, and
 * a second repair must find nothing to do. Returns the repairs made. */
static uint32_t repair_clean(struct tfs *t)
{
    struct sfs_repair_result res;
    int reported = 0;
    ck_assert_int_gt(sfs_check(&t->fs, NULL, 0, NULL, NULL), 0);
    ck_assert_ok(sfs_repair(&t->fs, NULL, 0, quiet, &reported, &res));
    ck_assert_uint_eq(res.left, 0);
    ck_assert_uint_gt(res.fixed, 0);
    ck_assert_int_eq((int)res.fixed, reported);
    ck_assert_int_eq(tfs_check(t), 0);
    tfs_remount(t);
    ck_assert_int_eq(tfs_check(t), 0);
    uint64_t writes = t->rd.writes;
    ck_assert_ok(sfs_repair(&t->fs, NULL, 0, NULL, NULL, &res));
    ck_assert_uint_eq(res.fixed, 0);
    ck_assert_uint_eq(t->rd.writes, writes); /* a clean volume is not written */
    /* And it is usable. */
    ck_assert_ok(tfs_put(t, "/after-repair", "ok", 2));
    ck_assert_ok(sfs_unlink(&t->fs, "/after-repair"));
    ck_assert_int_eq(tfs_check(t), 0);
    return res.fixed;
}

static void populate(struct tfs *t, bool journal)
{
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = journal ? 0 : UINT32_MAX };
    tfs_setup_opts(t, 1u << 20, &o, 0);
    ck_assert_ok(sfs_mkdir(&t->fs, "/d", 0755));
    ck_assert_ok(sfs_mkdir(&t->fs, "/d/e", 0755));
    uint8_t buf[20000];
    tfs_fill(buf, sizeof(buf), 9);
    ck_assert_ok(tfs_put(t, "/d/big", buf, sizeof(buf)));
    ck_assert_ok(tfs_put(t, "/small", "abc", 3));
    ck_assert_ok(sfs_symlink(&t->fs, "/d/big", "/link"));
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof(name), "/d/e/n%d", i);
        ck_assert_ok(tfs_put(t, name, name, strlen(name)));
    }
    ck_assert_int_eq(tfs_check(t), 0);
}

static void load(struct tfs *t, const char *path, struct sfs_inode *ip)
{
    struct sfs_res res;
    ck_assert_ok(sfs_resolve(&t->fs, SFS_ROOT_INO, path, 0, &res));
    ck_assert_ok(sfs_inode_read(&t->fs, res.ino, ip));
}

static void set_field(struct tfs *t, const char *path, int what)
{
    struct sfs_inode ip, small;
    load(t, path, &ip);
    switch (what) {
    case 0:
        ip.nlink = 3;
        break;
    case 1:
        ip.blocks++;
        break;
    case 2:
        ip.size = 100;
        break;
    case 3:
        ip.direct[3] = t->fs.total_blocks + 5;
        break;
    case 4:
        ip.direct[3] = 1;
        break;
    case 5:
        load(t, "/small", &small);
        ip.direct[3] = small.direct[0];
        break;
    case 6:
        ip.mode = 0x1000;
        break;
    case 7:
        ip.dir_count--;
        break;
    case 8:
        ip.dir_free = 3;
        break;
    case 9:
        ip.ind[0] = t->fs.total_blocks * 3;
        break;
    case 10:
        ip.dir_icap = 3;
        break;
    case 11:
        ip.nlink = 0;
        break;
    case 12:
        ip.nlink += 5;
        break;
    }
    ck_assert_ok(sfs_inode_write(&t->fs, &ip));
}

/* Each inode-field corruption of test_check.c, repaired. */
START_TEST(inode_fields_repaired)
{
    static const struct {
        const char *path;
        int what;
    } cases[] = { { "/d/big", 0 }, { "/d/big", 1 }, { "/d/big", 2 }, { "/d/big", 3 },
                  { "/d/big", 4 }, { "/d/big", 5 }, { "/d/big", 6 }, { "/d", 7 },
                  { "/d", 8 },     { "/d/big", 9 }, { "/d", 10 },    { "/small", 11 },
                  { "/d", 12 },    { "/", 12 },     { "/d/e", 6 } };
    struct tfs t;
    populate(&t, _i % 2);
    set_field(&t, cases[_i / 2].path, cases[_i / 2].what);
    repair_clean(&t);
    tfs_teardown(&t);
}
END_TEST

START_TEST(bitmaps_and_counts_repaired)
{
    struct tfs t;
    populate(&t, false);
    struct sfs_inode ip;
    load(&t, "/small", &ip);
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, ip.direct[0], 0));
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, t.fs.total_blocks - 1, 1));
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, 2, 0));
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.ibitmap_start, ip.ino, 0));
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.ibitmap_start, t.fs.inode_count - 1, 1));
    t.fs.free_blocks -= 7;
    t.fs.free_inodes += 2;
    repair_clean(&t);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/small", &d), 3); /* the lost bitmap bit came back */
    free(d);
    tfs_teardown(&t);
}
END_TEST

static void slot_set(struct tfs *t, const char *dir, const char *name, uint32_t ino, uint32_t type)
{
    struct sfs_inode d;
    uint32_t old, slot;
    load(t, dir, &d);
    if (name[0] == '.' && name[1] == 0)
        slot = 0;
    else if (name[0] == '.' && name[1] == '.' && name[2] == 0)
        slot = 1;
    else
        ck_assert_ok(sfs_dir_lookup(&t->fs, &d, name, strlen(name), &old, &slot));
    ck_assert_ok(sfs_dir_set_ino(&t->fs, &d, slot, ino, type));
}

static uint8_t *slot_bytes(struct tfs *t, const char *dir, const char *name, struct sfs_buf **b)
{
    struct sfs_inode d;
    uint32_t ino, slot, pblk, spb = 1024 / SFS_DIRENT_SIZE;
    load(t, dir, &d);
    ck_assert_ok(sfs_dir_lookup(&t->fs, &d, name, strlen(name), &ino, &slot));
    ck_assert_ok(sfs_bmap(&t->fs, &d, slot / spb, SFS_MAP_LOOKUP, &pblk));
    ck_assert_ok(sfs_bget(&t->fs, pblk, SFS_BGET_READ, b));
    sfs_bdirty(&t->fs, *b);
    return (*b)->data + (slot % spb) * SFS_DIRENT_SIZE;
}

static uint8_t *index_bytes(struct tfs *t, const char *dir, const char *name, struct sfs_buf **b)
{
    struct sfs_inode d;
    uint32_t ino, slot, h, s1, pos, pblk;
    load(t, dir, &d);
    ck_assert_ok(sfs_dir_lookup(&t->fs, &d, name, strlen(name), &ino, &slot));
    for (pos = 0; pos < d.dir_icap; pos++) {
        ck_assert_ok(sfs_dir_index_get(&t->fs, &d, pos, &h, &s1));
        if (s1 == slot + 1)
            break;
    }
    ck_assert_ok(sfs_bmap(&t->fs, &d, SFS_DIDX_BASE + pos / 128, SFS_MAP_LOOKUP, &pblk));
    ck_assert_ok(sfs_bget(&t->fs, pblk, SFS_BGET_READ, b));
    sfs_bdirty(&t->fs, *b);
    return (*b)->data + (pos % 128) * SFS_DIDX_SIZE;
}

/* Each directory corruption of test_check.c, repaired. */
START_TEST(directories_repaired)
{
    struct tfs t;
    populate(&t, false);
    struct sfs_inode root, d, e, a, bb;
    struct sfs_buf *b;
    uint8_t *p;
    load(&t, "/", &root);
    load(&t, "/d", &d);
    load(&t, "/d/e", &e);
    switch (_i) {
    case 0: /* "." elsewhere */
        slot_set(&t, "/d/e", ".", SFS_ROOT_INO, SFS_DT_DIR);
        break;
    case 1: /* ".." elsewhere */
        slot_set(&t, "/d/e", "..", SFS_ROOT_INO, SFS_DT_DIR);
        break;
    case 2: /* wrong type */
        load(&t, "/d/big", &a);
        slot_set(&t, "/d", "big", a.ino, SFS_DT_LNK);
        break;
    case 3: /* an entry naming a free inode */
        slot_set(&t, "/d", "big", 40, SFS_DT_REG);
        break;
    case 4: /* a bad name length */
        p = slot_bytes(&t, "/d", "big", &b);
        p[SFS_DE_NAME_LEN] = 0;
        sfs_bput(&t.fs, b);
        break;
    case 5: /* a '/' in a name */
        p = slot_bytes(&t, "/d", "big", &b);
        p[SFS_DE_NAME] = '/';
        sfs_bput(&t.fs, b);
        break;
    case 6: /* an index entry with the wrong hash */
        p = index_bytes(&t, "/d", "big", &b);
        sfs_st32(p, sfs_ld32(p) ^ 1);
        sfs_bput(&t.fs, b);
        break;
    case 7: /* an index entry past the slots */
        p = index_bytes(&t, "/d", "big", &b);
        sfs_st32(p + 4, 999);
        sfs_bput(&t.fs, b);
        break;
    case 8: /* an index entry lost */
        p = index_bytes(&t, "/d", "big", &b);
        sfs_st32(p + 4, 0);
        sfs_bput(&t.fs, b);
        break;
    case 9: /* a live slot freed behind the index's back */
        p = slot_bytes(&t, "/d", "big", &b);
        sfs_st32(p, 0);
        sfs_bput(&t.fs, b);
        break;
    case 10: /* an unreachable directory (and a leaked one) */
        ck_assert_ok(sfs_dir_remove(&t.fs, &root, "d", 1));
        break;
    case 11: /* a second name for a directory */
        ck_assert_ok(sfs_dir_add(&t.fs, &root, "alias", 5, e.ino, SFS_DT_DIR));
        break;
    case 12: /* the root's ".." */
        slot_set(&t, "/", "..", d.ino, SFS_DT_DIR);
        break;
    case 13: /* a name for the root */
        ck_assert_ok(sfs_dir_add(&t.fs, &d, "r", 1, SFS_ROOT_INO, SFS_DT_DIR));
        break;
    case 14: /* a cycle cut off from the root */
        ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
        ck_assert_ok(sfs_mkdir(&t.fs, "/a/b", 0755));
        load(&t, "/a", &a);
        load(&t, "/a/b", &bb);
        load(&t, "/", &root);
        ck_assert_ok(sfs_dir_remove(&t.fs, &root, "a", 1));
        ck_assert_ok(sfs_dir_add(&t.fs, &bb, "loop", 4, a.ino, SFS_DT_DIR));
        break;
    case 15: /* a file nobody names, with data */
        ck_assert_ok(sfs_dir_remove(&t.fs, &e, "n3", 2));
        break;
    case 16: /* a duplicate name */
        ck_assert_ok(sfs_dir_add(&t.fs, &d, "big", 3, e.ino + 1, SFS_DT_REG));
        break;
    case 17: /* a directory naming itself */
        ck_assert_ok(sfs_dir_add(&t.fs, &e, "self", 4, e.ino, SFS_DT_DIR));
        break;
    case 18: /* /lost+found is a file: reconnection cannot be done */
        ck_assert_ok(tfs_put(&t, "/lost+found", "x", 1));
        load(&t, "/", &root);
        ck_assert_ok(sfs_dir_remove(&t.fs, &root, "d", 1));
        break;
    }
    if (_i == 18) {
        struct sfs_repair_result res;
        ck_assert_ok(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res));
        ck_assert_uint_gt(res.left, 0); /* said so */
        ck_assert_int_gt(sfs_check(&t.fs, NULL, 0, NULL, NULL), 0);
        tfs_teardown(&t);
        return;
    }
    repair_clean(&t);
    if (_i == 10 || _i == 14 || _i == 15) /* reconnected, not lost */
        ck_assert_int_gt(tfs_count(&t, "/lost+found"), 0);
    if (_i == 10) {
        void *data;
        char path[64];
        snprintf(path, sizeof(path), "/lost+found/#%u/e/n7", d.ino);
        ck_assert_int_eq(tfs_get(&t, path, &data), 7);
        ck_assert_mem_eq(data, "/d/e/n7", 7);
        free(data);
    }
    tfs_teardown(&t);
}
END_TEST

/* A full index, directories sharing blocks and a cycle (test_check.c's
 * worst case), repaired. */
START_TEST(shared_blocks_and_full_index_repaired)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024,
                                 .inode_count = 4096,
                                 .journal_blocks = _i ? 0 : UINT32_MAX };
    tfs_setup_opts(&t, 8u << 20, &o, 64);
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    char name[32];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof(name), "/d/f%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    struct sfs_inode d, twin;
    load(&t, "/d", &d);
    for (uint32_t i = 0; i < d.dir_icap; i += 128) {
        uint32_t pblk;
        ck_assert_ok(sfs_bmap(&t.fs, &d, SFS_DIDX_BASE + i / 128, SFS_MAP_LOOKUP, &pblk));
        struct sfs_buf *b;
        ck_assert_ok(sfs_bget(&t.fs, pblk, SFS_BGET_READ, &b));
        for (uint32_t k = 0; k < 128; k++) {
            sfs_st32(b->data + k * SFS_DIDX_SIZE, 7);
            sfs_st32(b->data + k * SFS_DIDX_SIZE + 4, 1);
        }
        sfs_bdirty(&t.fs, b);
        sfs_bput(&t.fs, b);
    }
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof(name), "/twin%d", k);
        ck_assert_ok(sfs_mkdir(&t.fs, name, 0755));
        load(&t, name, &twin);
        uint32_t ino = twin.ino;
        twin = d;
        twin.ino = ino;
        ck_assert_ok(sfs_inode_write(&t.fs, &twin));
    }
    ck_assert_ok(sfs_sync(&t.fs));
    repair_clean(&t);
    ck_assert_int_eq(tfs_count(&t, "/d"), 500); /* the first owner kept its blocks */
    ck_assert_int_eq(tfs_count(&t, "/twin0"), 0);
    tfs_teardown(&t);
}
END_TEST

/* Random bit flips in metadata: clean after repair, or "left", or refused. */
START_TEST(random_flips_repaired_or_reported)
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(_i + 1);
    const char *env = getenv("SFS_REPAIR_ROUNDS");
    int rounds = env ? atoi(env) : 400;
    if (getenv("SFS_REPAIR_SEED"))
        x += strtoull(getenv("SFS_REPAIR_SEED"), NULL, 0);
    int refused = 0, clean = 0, left = 0, untouched = 0;
    for (int round = 0; round < rounds; round++) {
        struct tfs t;
        populate(&t, (round + _i) % 3 == 0);
        uint32_t limit = t.fs.data_start + 40;
        ck_assert_ok(sfs_unmount(&t.fs));
        int flips = 1 + (int)(x % 8);
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t blk = 1 + x % (limit - 1);
            uint64_t off = (x >> 20) % 1024;
            t.rd.data[blk * 1024 + off] ^= (uint8_t)(1u << ((x >> 40) % 8));
        }
        if (round % 16 == 0) { /* the superblock too, with a valid checksum */
            t.rd.data[(x >> 30) % 124] ^= (uint8_t)(1u << ((x >> 50) % 8));
            sfs_st32(t.rd.data + SFS_SB_CHECKSUM, sfs_crc32(0, t.rd.data, SFS_SB_CHECKSUM));
        }
        if (sfs_mount(&t.fs, &t.rd.dev, &t.cfg) < 0) {
            refused++; /* fsck: exit 8 */
            ck_assert_int_eq(t.allocs, 0);
            sfs_ramdev_free(&t.rd);
            continue;
        }
        struct sfs_repair_result res;
        int r = sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res);
        ck_assert_msg(r == 0, "round %d: repair failed: %d", round, r);
        long n = sfs_check(&t.fs, NULL, 0, NULL, NULL);
        if (n != 0 && res.left == 0)
            tfs_check(&t);
        ck_assert_msg(n == 0 || res.left > 0,
                      "round %d (seed %llu): %ld problems left, none reported", round,
                      (unsigned long long)x, n);
        if (n == 0) {
            /* The repaired volume survives a remount and use. */
            ck_assert_ok(sfs_unmount(&t.fs));
            ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
            ck_assert_int_eq(tfs_check(&t), 0);
            ck_assert_ok(tfs_put(&t, "/new", "data", 4));
            ck_assert_ok(sfs_mkdir(&t.fs, "/newdir", 0755));
            ck_assert_int_eq(tfs_check(&t), 0);
            clean++;
            untouched += res.fixed == 0;
        } else {
            left++;
        }
        (void)sfs_unmount(&t.fs);
        ck_assert_int_eq(t.allocs, 0);
        sfs_ramdev_free(&t.rd);
    }
    fprintf(stderr,
            "repair: flips set %d: %d rounds, %d clean after repair (%d needed none), "
            "%d left uncorrected, %d refused at mount\n",
            _i, rounds, clean, untouched, left, refused);
}
END_TEST

START_TEST(arguments)
{
    struct tfs t;
    populate(&t, false);
    struct sfs_repair_result res;
    size_t need = sfs_repair_work_size(&t.fs);
    ck_assert_uint_ge(need, sfs_check_work_size(&t.fs));
    void *w = malloc(need);
    ck_assert_int_eq(sfs_repair(&t.fs, w, need - 1, NULL, NULL, &res), SFS_ENOMEM);
    ck_assert_ok(sfs_repair(&t.fs, w, need, NULL, NULL, &res));
    ck_assert_uint_eq(res.fixed, 0);
    free(w);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/small", SFS_O_RDONLY, 0));
    ck_assert_int_eq(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res), SFS_EBUSY);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(sfs_repair(NULL, NULL, 0, NULL, NULL, &res), SFS_EINVAL);
    tfs_remount(&t);
    ck_assert_ok(sfs_unmount(&t.fs));
    struct sfs_config ro = t.cfg;
    ro.mount_flags = SFS_MOUNT_RDONLY;
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &ro));
    ck_assert_int_eq(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res), SFS_EROFS);
    for (int c = SFS_CHK_IBITMAP; c <= SFS_CHK_DIR_REBUILT; c++)
        ck_assert_str_ne(sfs_check_describe(c), "unknown problem");
    tfs_teardown(&t);
}
END_TEST

Suite *repair_suite(void)
{
    Suite *s = suite_create("repair");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, inode_fields_repaired, 0, 30);
    tcase_add_test(tc, bitmaps_and_counts_repaired);
    tcase_add_loop_test(tc, directories_repaired, 0, 19);
    tcase_add_loop_test(tc, shared_blocks_and_full_index_repaired, 0, 2);
    tcase_add_test(tc, arguments);
    tcase_add_loop_test(tc, random_flips_repaired_or_reported, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}
