/*
 * test_super.c - volume layer: format geometry, mount validation of every
 * superblock field, memory options, statfs, several volumes, hooks.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdlib.h>
#include <string.h>

Suite *super_suite(void);

static const uint32_t block_sizes[] = { 1024, 2048, 4096, 8192, 65536 };

START_TEST(format_geometry)
{
    struct tfs t;
    uint32_t bs = block_sizes[_i];
    tfs_setup(&t, 8u << 20, bs);
    struct sfs_statfs st;
    ck_assert_ok(sfs_statfs(&t.fs, &st));
    ck_assert_uint_eq(st.block_size, bs);
    ck_assert_uint_eq(st.total_blocks, (8u << 20) / bs);
    ck_assert_uint_eq(st.format_version, SFS_FORMAT_VERSION);
    ck_assert_uint_eq(st.name_max, 255);
    ck_assert_uint_lt(st.free_blocks, st.data_blocks);
    ck_assert_uint_eq(st.free_inodes, st.total_inodes - 1);
    ck_assert_uint_eq(t.fs.data_start, t.fs.journal_start + t.fs.journal_blocks);
    ck_assert_int_eq(tfs_check(&t), 0);
    struct sfs_stat s;
    ck_assert_ok(sfs_stat(&t.fs, "/", &s));
    ck_assert_uint_eq(s.ino, SFS_ROOT_INO);
    ck_assert_uint_eq(s.mode & SFS_S_IFMT, SFS_S_IFDIR);
    ck_assert_uint_eq(s.nlink, 2);
    ck_assert_uint_eq(s.mtime, 1700000000);
    tfs_remount(&t);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(format_large_bitmaps)
{
    /* 1 KiB blocks on 64 MiB: 65536 blocks -> an 8-block data bitmap. */
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .inode_count = 20000 };
    tfs_setup_opts(&t, 64u << 20, &o, 16);
    ck_assert_uint_eq(t.fs.dbitmap_blocks, 8);
    ck_assert_uint_eq(t.fs.ibitmap_blocks, 3);
    ck_assert_uint_ge(t.fs.inode_count, 20000);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(format_bad_args)
{
    struct sfs_ramdev rd;
    struct sfs fs;
    struct tfs t;
    memset(&t, 0, sizeof(t));
    tfs_config(&t, 0);
    sfs_ramdev_init(&rd, 1u << 20, 512);
    struct sfs_format_opts o = { .block_size = 3000 };
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_size = 512;
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_size = 131072;
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_size = 4096;
    o.block_count = 1000; /* larger than the device */
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_count = 8;
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_count = 0;
    o.inode_count = 100000; /* inode table larger than the disk */
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.inode_count = 0;
    o.journal_blocks = 1000;
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &t.cfg, &o), SFS_EINVAL);
    ck_assert_int_eq(sfs_format(&fs, NULL, &t.cfg, NULL), SFS_EINVAL);
    struct sfs_blockdev bad = rd.dev;
    bad.sector_size = 500;
    ck_assert_int_eq(sfs_format(&fs, &bad, &t.cfg, NULL), SFS_EINVAL);
    struct sfs_config nomem = { 0 };
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &nomem, NULL), SFS_EINVAL);
    nomem.cache_blocks = 2;
    nomem.buffer = &t;
    ck_assert_int_eq(sfs_format(&fs, &rd.dev, &nomem, NULL), SFS_EINVAL);
    ck_assert_int_eq(t.allocs, 0);
    sfs_ramdev_free(&rd);
}
END_TEST

START_TEST(format_no_journal_and_label)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    memcpy(o.label, "hello", 5);
    tfs_setup_opts(&t, 1u << 20, &o, 0);
    struct sfs_statfs st;
    ck_assert_ok(sfs_statfs(&t.fs, &st));
    ck_assert_uint_eq(st.journal_blocks, 0);
    ck_assert_str_eq(st.label, "hello");
    tfs_teardown(&t);
    o.journal_blocks = 7;
    tfs_setup_opts(&t, 1u << 20, &o, 0);
    ck_assert_uint_eq(t.fs.journal_blocks, 7);
    tfs_teardown(&t);
}
END_TEST

/* Rewrite a superblock field and fix the checksum. */
static void sb_poke(struct sfs_ramdev *rd, uint32_t off, uint32_t val, bool fix_crc)
{
    sfs_st32(rd->data + off, val);
    if (fix_crc)
        sfs_st32(rd->data + SFS_SB_CHECKSUM, sfs_crc32(0, rd->data, SFS_SB_CHECKSUM));
}

START_TEST(mount_rejects_each_field)
{
    static const struct {
        uint32_t off;
        uint32_t delta;
        int err;
    } cases[] = {
        { SFS_SB_MAGIC, 1, SFS_EMEDIUMTYPE },
        { SFS_SB_VERSION, 1, SFS_ENOTSUP },
        { SFS_SB_VERSION, (uint32_t)-1, SFS_ECORRUPT },
        { SFS_SB_BLOCK_SIZE, 1, SFS_ECORRUPT },
        { SFS_SB_BLOCK_SIZE, 1024, SFS_ECORRUPT },
        { SFS_SB_TOTAL_BLOCKS, 100000, SFS_ECORRUPT },
        { SFS_SB_INODE_COUNT, 1000, SFS_ECORRUPT },
        { SFS_SB_IBITMAP_START, 1, SFS_ECORRUPT },
        { SFS_SB_IBITMAP_BLOCKS, 1, SFS_ECORRUPT },
        { SFS_SB_DBITMAP_START, 1, SFS_ECORRUPT },
        { SFS_SB_DBITMAP_BLOCKS, 1, SFS_ECORRUPT },
        { SFS_SB_ITABLE_START, 1, SFS_ECORRUPT },
        { SFS_SB_ITABLE_BLOCKS, 1, SFS_ECORRUPT },
        { SFS_SB_JOURNAL_START, 1, SFS_ECORRUPT },
        { SFS_SB_JOURNAL_BLOCKS, 1, SFS_ECORRUPT },
        { SFS_SB_DATA_START, 1, SFS_ECORRUPT },
        { SFS_SB_FREE_BLOCKS, 100000, SFS_ECORRUPT },
        { SFS_SB_FREE_INODES, 100000, SFS_ECORRUPT },
        { SFS_SB_FEAT_INCOMPAT, 4, SFS_ENOTSUP },
        { SFS_SB_FEAT_RO_COMPAT, 4, SFS_ENOTSUP },
        { SFS_SB_ROOT_INO, 1, SFS_ECORRUPT },
        { SFS_SB_STATE, 7, SFS_ECORRUPT },
        { SFS_SB_INODE_COUNT, (uint32_t)-4096, SFS_ECORRUPT },
        { SFS_SB_JOURNAL_BLOCKS, (uint32_t)-2, SFS_ECORRUPT },
    };
    struct tfs t;
    tfs_setup(&t, 1u << 20, 4096);
    tfs_teardown(&t);
    memset(&t, 0, sizeof(t));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sfs_ramdev_init(&t.rd, 1u << 20, 512);
        tfs_config(&t, 0);
        ck_assert_ok(sfs_format(&t.fs, &t.rd.dev, &t.cfg, NULL));
        uint32_t v = sfs_ld32(t.rd.data + cases[i].off);
        sb_poke(&t.rd, cases[i].off, v + cases[i].delta, true);
        int r = sfs_mount(&t.fs, &t.rd.dev, &t.cfg);
        ck_assert_msg(r == cases[i].err, "field %u: got %d want %d", cases[i].off, r, cases[i].err);
        ck_assert_int_eq(t.allocs, 0);
        sfs_ramdev_free(&t.rd);
    }
    /* Bad checksum alone. */
    sfs_ramdev_init(&t.rd, 1u << 20, 512);
    ck_assert_ok(sfs_format(&t.fs, &t.rd.dev, &t.cfg, NULL));
    t.rd.data[SFS_SB_LABEL] ^= 1;
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_ECORRUPT);
    ck_assert_int_gt(t.log_lines, 0);
    /* A blank device. */
    memset(t.rd.data, 0, 4096);
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_EMEDIUMTYPE);
    sfs_ramdev_free(&t.rd);
}
END_TEST

START_TEST(mount_root_not_dir)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    tfs_teardown(&t);
    sfs_ramdev_init(&t.rd, 1u << 20, 512);
    ck_assert_ok(
        sfs_format(&t.fs, &t.rd.dev, &t.cfg, &(struct sfs_format_opts){ .block_size = 1024 }));
    /* Root inode: block itable_start, offset 128. Make it a regular file. */
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    uint32_t it = t.fs.itable_start;
    ck_assert_ok(sfs_unmount(&t.fs));
    sfs_st16(t.rd.data + it * 1024 + SFS_INODE_SIZE + SFS_I_MODE, SFS_S_IFREG | 0644);
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_ECORRUPT);
    sfs_st16(t.rd.data + it * 1024 + SFS_INODE_SIZE + SFS_I_MODE, 0x1234);
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_ECORRUPT);
    /* A read error on the superblock. */
    t.rd.bad_sector = 0;
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_EIO);
    ck_assert_int_eq(t.allocs, 0);
    sfs_ramdev_free(&t.rd);
}
END_TEST

START_TEST(mount_caller_buffer)
{
    struct sfs_ramdev rd;
    sfs_ramdev_init(&rd, 2u << 20, 512);
    size_t need = sfs_mem_size(4096, 8);
    void *mem = malloc(need);
    struct sfs_config cfg = { .cache_blocks = 16, .buffer = mem, .buffer_size = need };
    struct sfs fs;
    ck_assert_ok(sfs_format(&fs, &rd.dev, &cfg, NULL));
    ck_assert_ok(sfs_mount(&fs, &rd.dev, &cfg));
    ck_assert_uint_eq(fs.nbufs, 8); /* shrunk to what fits */
    ck_assert_ok(sfs_mkdir(&fs, "/d", 0755));
    ck_assert_ok(sfs_unmount(&fs));
    cfg.buffer_size = sfs_mem_size(4096, 7);
    ck_assert_int_eq(sfs_mount(&fs, &rd.dev, &cfg), SFS_ENOMEM);
    cfg.buffer_size = 100;
    ck_assert_int_eq(sfs_mount(&fs, &rd.dev, &cfg), SFS_ENOMEM);
    cfg.buffer = NULL;
    ck_assert_int_eq(sfs_mount(&fs, &rd.dev, &cfg), SFS_EINVAL);
    free(mem);
    sfs_ramdev_free(&rd);
}
END_TEST

static void *null_alloc(void *ctx, size_t n)
{
    (void)ctx;
    (void)n;
    return NULL;
}
static void null_free(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
}

START_TEST(mount_alloc_fails)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    tfs_teardown(&t);
    sfs_ramdev_init(&t.rd, 1u << 20, 512);
    ck_assert_ok(sfs_format(&t.fs, &t.rd.dev, &t.cfg, NULL));
    struct sfs_config c = { .alloc = null_alloc, .free = null_free };
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &c), SFS_ENOMEM);
    ck_assert_int_eq(sfs_format(&t.fs, &t.rd.dev, &c, NULL), SFS_ENOMEM);
    sfs_ramdev_free(&t.rd);
}
END_TEST

START_TEST(two_volumes)
{
    struct tfs a, b;
    tfs_setup(&a, 1u << 20, 1024);
    tfs_setup(&b, 2u << 20, 4096);
    ck_assert_ok(tfs_put(&a, "/x", "aaa", 3));
    ck_assert_ok(tfs_put(&b, "/x", "bbbb", 4));
    struct sfs_stat sa, sb;
    ck_assert_ok(sfs_stat(&a.fs, "/x", &sa));
    ck_assert_ok(sfs_stat(&b.fs, "/x", &sb));
    ck_assert_uint_eq(sa.size, 3);
    ck_assert_uint_eq(sb.size, 4);
    tfs_teardown(&a);
    tfs_teardown(&b);
}
END_TEST

static int lock_depth, lock_calls;
static void t_lock(void *ctx)
{
    (void)ctx;
    ck_assert_int_eq(lock_depth, 0);
    lock_depth++;
    lock_calls++;
}
static void t_unlock(void *ctx)
{
    (void)ctx;
    ck_assert_int_eq(lock_depth, 1);
    lock_depth--;
}

START_TEST(lock_hooks_balanced)
{
    struct tfs t;
    memset(&t, 0, sizeof(t));
    sfs_ramdev_init(&t.rd, 1u << 20, 512);
    tfs_config(&t, 0);
    t.cfg.lock = t_lock;
    t.cfg.unlock = t_unlock;
    ck_assert_ok(sfs_format(&t.fs, &t.rd.dev, &t.cfg, NULL));
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    ck_assert_ok(tfs_put(&t, "/d/f", "x", 1));
    ck_assert_int_eq(sfs_unlink(&t.fs, "/nope"), SFS_ENOENT);
    ck_assert_int_eq(tfs_count(&t, "/d"), 1);
    ck_assert_int_eq(tfs_check(&t), 0);
    ck_assert_ok(sfs_sync(&t.fs));
    ck_assert_int_gt(lock_calls, 8);
    ck_assert_int_eq(lock_depth, 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(unmount_state_and_sync)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    ck_assert_uint_eq(sfs_ld32(t.rd.data + SFS_SB_STATE), SFS_STATE_DIRTY);
    uint64_t flushes = t.rd.flushes;
    ck_assert_ok(sfs_sync(&t.fs));
    ck_assert_uint_gt(t.rd.flushes, flushes);
    ck_assert_uint_eq(sfs_ld32(t.rd.data + SFS_SB_STATE), SFS_STATE_DIRTY);
    ck_assert_ok(sfs_unmount(&t.fs));
    ck_assert_uint_eq(sfs_ld32(t.rd.data + SFS_SB_STATE), SFS_STATE_CLEAN);
    ck_assert_int_eq(sfs_unmount(&t.fs), SFS_EINVAL);
    ck_assert_int_eq(sfs_sync(&t.fs), SFS_EINVAL);
    struct sfs_statfs st;
    ck_assert_int_eq(sfs_statfs(&t.fs, &st), SFS_EINVAL);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/a", 0), SFS_EINVAL);
    tfs_teardown(&t);
}
END_TEST

START_TEST(large_sector_device)
{
    struct tfs t;
    memset(&t, 0, sizeof(t));
    sfs_ramdev_init(&t.rd, 4u << 20, 4096);
    tfs_config(&t, 0);
    struct sfs_format_opts o = { .block_size = 1024 };
    ck_assert_int_eq(sfs_format(&t.fs, &t.rd.dev, &t.cfg, &o), SFS_EINVAL);
    o.block_size = 8192;
    ck_assert_ok(sfs_format(&t.fs, &t.rd.dev, &t.cfg, &o));
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    ck_assert_uint_eq(t.fs.sec_per_block, 2);
    uint8_t buf[30000];
    tfs_fill(buf, sizeof(buf), 4);
    ck_assert_ok(tfs_put(&t, "/f", buf, sizeof(buf)));
    tfs_remount(&t);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/f", &d), (long)sizeof(buf));
    ck_assert_int_eq(memcmp(d, buf, sizeof(buf)), 0);
    free(d);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(strerror_all)
{
    static const int codes[] = { 0,           SFS_EPERM,   SFS_ENOENT,       SFS_EIO,
                                 SFS_EBADF,   SFS_ENOMEM,  SFS_EBUSY,        SFS_EEXIST,
                                 SFS_ENOTDIR, SFS_EISDIR,  SFS_EINVAL,       SFS_EFBIG,
                                 SFS_ENOSPC,  SFS_EMLINK,  SFS_ENAMETOOLONG, SFS_ENOTEMPTY,
                                 SFS_ELOOP,   SFS_ENOTSUP, SFS_ECORRUPT,     SFS_EMEDIUMTYPE };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        ck_assert_str_ne(sfs_strerror(codes[i]), "unknown error");
    ck_assert_str_eq(sfs_strerror(-999), "unknown error");
    ck_assert_int_eq(SFS_ENOENT, -2);
    ck_assert_int_eq(SFS_EIO, -5);
    ck_assert_uint_eq(sfs_crc32(0, "123456789", 9), 0xCBF43926u);
}
END_TEST

Suite *super_suite(void)
{
    Suite *s = suite_create("super");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, format_geometry, 0, 5);
    tcase_add_test(tc, format_large_bitmaps);
    tcase_add_test(tc, format_bad_args);
    tcase_add_test(tc, format_no_journal_and_label);
    tcase_add_test(tc, mount_rejects_each_field);
    tcase_add_test(tc, mount_root_not_dir);
    tcase_add_test(tc, mount_caller_buffer);
    tcase_add_test(tc, mount_alloc_fails);
    tcase_add_test(tc, two_volumes);
    tcase_add_test(tc, lock_hooks_balanced);
    tcase_add_test(tc, unmount_state_and_sync);
    tcase_add_test(tc, large_sector_device);
    tcase_add_test(tc, strerror_all);
    suite_add_tcase(s, tc);
    return s;
}
