/*
 * test_file.c - inode and handle layers: reads and writes at any offset,
 * every block-map level, holes, truncate, append, seek, handles, EFBIG.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *file_suite(void);

static const uint32_t block_sizes[] = { 1024, 4096, 65536 };

START_TEST(write_read_small)
{
    struct tfs t;
    tfs_setup(&t, 4u << 20, block_sizes[_i]);
    ck_assert_ok(tfs_put(&t, "/hello", "hello world", 11));
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/hello", &d), 11);
    ck_assert_mem_eq(d, "hello world", 11);
    free(d);
    tfs_remount(&t);
    ck_assert_int_eq(tfs_get(&t, "/hello", &d), 11);
    ck_assert_mem_eq(d, "hello world", 11);
    free(d);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

/* Write a pattern across the direct / single / double boundaries and read it back. */
START_TEST(levels_roundtrip)
{
    struct tfs t;
    uint32_t bs = 1024;
    tfs_setup(&t, 16u << 20, bs);
    size_t len = (12 + 256 + 300) * (size_t)bs + 77; /* into the double-indirect range */
    uint8_t *buf = malloc(len), *back = malloc(len);
    tfs_fill(buf, len, 7);
    ck_assert_ok(tfs_put(&t, "/big", buf, len));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/big", &st));
    ck_assert_uint_eq(st.size, len);
    /* data blocks + 1 single + 1 double + 2 second-level indirect */
    ck_assert_uint_eq(st.blocks, (len + bs - 1) / bs + 1 + 1 + 2);
    tfs_remount(&t);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/big", SFS_O_RDONLY, 0));
    ck_assert_int_eq(sfs_read(&t.fs, &f, back, len), (long)len);
    ck_assert_int_eq(memcmp(buf, back, len), 0);
    ck_assert_int_eq(sfs_read(&t.fs, &f, back, 10), 0);
    /* Unaligned pread across a block boundary. */
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, 3000, 12 * bs - 5), 3000);
    ck_assert_int_eq(memcmp(back, buf + 12 * bs - 5, 3000), 0);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    struct sfs_statfs before;
    ck_assert_ok(sfs_statfs(&t.fs, &before));
    ck_assert_ok(sfs_unlink(&t.fs, "/big"));
    struct sfs_statfs after;
    ck_assert_ok(sfs_statfs(&t.fs, &after));
    ck_assert_uint_eq(after.free_blocks, before.free_blocks + st.blocks);
    ck_assert_int_eq(tfs_check(&t), 0);
    free(buf);
    free(back);
    tfs_teardown(&t);
}
END_TEST

START_TEST(sparse_triple_indirect)
{
    struct tfs t;
    uint32_t bs = 1024;
    tfs_setup(&t, 1u << 20, bs);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/sparse", SFS_O_RDWR | SFS_O_CREAT, 0644));
    uint64_t triple = (12ull + 256 + 256 * 256) * bs; /* first triple-indirect byte */
    uint64_t offs[] = { 5, 12 * 1024 + 3, triple - 2, triple + 1234567, 3ull << 30 };
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "XYZ", 3, offs[i]), 3);
    struct sfs_stat st;
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_uint_eq(st.size, (3ull << 30) + 3);
    ck_assert_uint_lt(st.blocks, 30); /* holes take no blocks */
    char b[8];
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(sfs_pread(&t.fs, &f, b, 3, offs[i]), 3);
        ck_assert_mem_eq(b, "XYZ", 3);
    }
    ck_assert_int_eq(sfs_pread(&t.fs, &f, b, 8, 100000), 8);
    ck_assert_mem_eq(b, "\0\0\0\0\0\0\0\0", 8);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    ck_assert_ok(sfs_truncate(&t.fs, "/sparse", 10));
    ck_assert_ok(sfs_stat(&t.fs, "/sparse", &st));
    ck_assert_uint_eq(st.blocks, 1);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(max_size_efbig)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    uint64_t max = (12ull + 256 + 65536 + 16777216) * 1024;
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/f", SFS_O_RDWR | SFS_O_CREAT, 0644));
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "ab", 2, max), SFS_EFBIG);
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "ab", 2, max - 1), 1);
    ck_assert_int_eq(sfs_ftruncate(&t.fs, &f, max + 1), SFS_EFBIG);
    ck_assert_ok(sfs_ftruncate(&t.fs, &f, max));
    ck_assert_ok(sfs_ftruncate(&t.fs, &f, 0));
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(truncate_zeroes_tail)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    uint8_t buf[3000];
    memset(buf, 0xAB, sizeof(buf));
    ck_assert_ok(tfs_put(&t, "/f", buf, sizeof(buf)));
    ck_assert_ok(sfs_truncate(&t.fs, "/f", 1500));
    ck_assert_ok(sfs_truncate(&t.fs, "/f", 2800));
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/f", &d), 2800);
    uint8_t *p = d;
    for (int i = 0; i < 2800; i++)
        ck_assert_uint_eq(p[i], i < 1500 ? 0xAB : 0);
    free(d);
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/f", &st));
    ck_assert_uint_eq(st.blocks, 2); /* block 2 was freed, not re-created */
    ck_assert_int_eq(sfs_truncate(&t.fs, "/", 0), SFS_EISDIR);
    ck_assert_int_eq(sfs_truncate(&t.fs, "/nope", 0), SFS_ENOENT);
    ck_assert_ok(sfs_symlink(&t.fs, "/f", "/l"));
    ck_assert_ok(sfs_truncate(&t.fs, "/l", 0)); /* follows the link */
    ck_assert_ok(sfs_stat(&t.fs, "/f", &st));
    ck_assert_uint_eq(st.size, 0);
    ck_assert_uint_eq(st.blocks, 0);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(append_seek_tell)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_WRONLY | SFS_O_CREAT | SFS_O_APPEND, 0644));
    ck_assert_int_eq(sfs_write(&t.fs, &f, "abc", 3), 3);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, 0, SFS_SEEK_SET), 0);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "def", 3), 3);
    ck_assert_int_eq(sfs_tell(&t.fs, &f), 6);
    ck_assert_int_eq(sfs_read(&t.fs, &f, NULL, 0), SFS_EBADF);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_RDWR, 0));
    ck_assert_int_eq(sfs_seek(&t.fs, &f, -2, SFS_SEEK_END), 4);
    char b[8] = { 0 };
    ck_assert_int_eq(sfs_read(&t.fs, &f, b, 8), 2);
    ck_assert_str_eq(b, "ef");
    ck_assert_int_eq(sfs_seek(&t.fs, &f, -1, SFS_SEEK_CUR), 5);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, -10, SFS_SEEK_CUR), SFS_EINVAL);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, 0, 9), SFS_EINVAL);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, INT64_MAX, SFS_SEEK_CUR), SFS_EINVAL);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, 10, SFS_SEEK_SET), 10);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "Z", 1), 1);
    ck_assert_int_eq(sfs_pread(&t.fs, &f, b, 8, 4), 7);
    ck_assert_mem_eq(b, "ef\0\0\0\0Z", 7);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "", 0), 0);
    ck_assert_ok(sfs_fsync(&t.fs, &f));
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(sfs_close(&t.fs, &f), SFS_EBADF);
    ck_assert_int_eq(sfs_tell(&t.fs, &f), SFS_EBADF);
    ck_assert_int_eq(sfs_seek(&t.fs, &f, 0, SFS_SEEK_SET), SFS_EBADF);
    ck_assert_int_eq(sfs_fsync(&t.fs, &f), SFS_EBADF);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "x", 1), SFS_EBADF);
    ck_assert_int_eq(sfs_read(&t.fs, &f, b, 1), SFS_EBADF);
    struct sfs_stat st;
    ck_assert_int_eq(sfs_fstat(&t.fs, &f, &st), SFS_EBADF);
    tfs_teardown(&t);
}
END_TEST

START_TEST(open_flags)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    struct sfs_file f, g;
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/a", SFS_O_RDONLY, 0), SFS_ENOENT);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/a", 3, 0), SFS_EINVAL);
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_RDWR | SFS_O_CREAT | SFS_O_EXCL, 0600));
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/a", SFS_O_RDONLY, 0), SFS_EBUSY);
    ck_assert_int_eq(sfs_open(&t.fs, &g, "/a", SFS_O_CREAT | SFS_O_EXCL, 0), SFS_EEXIST);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "1234", 4), 4);
    ck_assert_ok(sfs_open(&t.fs, &g, "/a", SFS_O_RDONLY, 0));
    ck_assert_int_eq(sfs_write(&t.fs, &g, "x", 1), SFS_EBADF);
    ck_assert_int_eq(sfs_ftruncate(&t.fs, &g, 0), SFS_EBADF);
    char b[4];
    ck_assert_int_eq(sfs_read(&t.fs, &g, b, 4), 4); /* sees the other handle's write */
    ck_assert_ok(sfs_close(&t.fs, &g));
    ck_assert_ok(sfs_open(&t.fs, &g, "/a", SFS_O_WRONLY | SFS_O_TRUNC, 0));
    ck_assert_int_eq(sfs_read(&t.fs, &g, b, 4), SFS_EBADF);
    ck_assert_ok(sfs_close(&t.fs, &g));
    ck_assert_int_eq(sfs_read(&t.fs, &f, b, 4), 0); /* truncated underneath */
    ck_assert_ok(sfs_close(&t.fs, &f));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/a", &st));
    ck_assert_uint_eq(st.mode, SFS_S_IFREG | 0600);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/", SFS_O_RDONLY, 0), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/a/", SFS_O_RDONLY, 0), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/new/", SFS_O_CREAT | SFS_O_WRONLY, 0), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/x/y", SFS_O_CREAT | SFS_O_WRONLY, 0), SFS_ENOENT);
    ck_assert_int_eq(sfs_open(NULL, &f, "/a", 0, 0), SFS_EINVAL);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(unlink_open_file_reclaimed_on_close)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    struct sfs_statfs s0, s1;
    ck_assert_ok(sfs_statfs(&t.fs, &s0));
    uint8_t buf[10000];
    tfs_fill(buf, sizeof(buf), 3);
    ck_assert_ok(tfs_put(&t, "/f", buf, sizeof(buf)));
    struct sfs_file f, g;
    ck_assert_ok(sfs_open(&t.fs, &f, "/f", SFS_O_RDWR, 0));
    ck_assert_ok(sfs_open(&t.fs, &g, "/f", SFS_O_RDONLY, 0));
    ck_assert_ok(sfs_unlink(&t.fs, "/f"));
    ck_assert_int_eq(sfs_stat(&t.fs, "/f", &(struct sfs_stat){ 0 }), SFS_ENOENT);
    uint8_t back[10000];
    ck_assert_int_eq(sfs_read(&t.fs, &f, back, sizeof(back)), (long)sizeof(back));
    ck_assert_int_eq(memcmp(buf, back, sizeof(buf)), 0);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "more", 4), 4);
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_lt(s1.free_blocks, s0.free_blocks);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_lt(s1.free_blocks, s0.free_blocks);
    ck_assert_ok(sfs_close(&t.fs, &g));
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_eq(s1.free_blocks, s0.free_blocks);
    ck_assert_uint_eq(s1.free_inodes, s0.free_inodes);
    /* Unmount with an unlinked file still open frees it too. */
    ck_assert_ok(tfs_put(&t, "/g", buf, sizeof(buf)));
    ck_assert_ok(sfs_open(&t.fs, &f, "/g", SFS_O_RDONLY, 0));
    ck_assert_ok(sfs_unlink(&t.fs, "/g"));
    tfs_remount(&t);
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_eq(s1.free_blocks, s0.free_blocks);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(disk_full)
{
    struct tfs t;
    tfs_setup(&t, 256u << 10, 1024);
    uint8_t buf[4096];
    tfs_fill(buf, sizeof(buf), 1);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/fill", SFS_O_WRONLY | SFS_O_CREAT, 0644));
    long total = 0, n;
    while ((n = sfs_write(&t.fs, &f, buf, sizeof(buf))) == (long)sizeof(buf))
        total += n;
    ck_assert_int_ge(n, 0); /* a short write, then ENOSPC */
    total += n;
    ck_assert_int_eq(sfs_write(&t.fs, &f, buf, sizeof(buf)), SFS_ENOSPC);
    ck_assert_ok(sfs_close(&t.fs, &f));
    struct sfs_statfs st;
    ck_assert_ok(sfs_statfs(&t.fs, &st));
    ck_assert_uint_eq(st.free_blocks, 0);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/d", 0755), SFS_ENOSPC);
    ck_assert_int_eq(sfs_symlink(&t.fs, "target", "/s"), SFS_ENOSPC);
    ck_assert_int_eq(tfs_check(&t), 0);
    struct sfs_stat s;
    ck_assert_ok(sfs_stat(&t.fs, "/fill", &s));
    ck_assert_uint_eq(s.size, (uint64_t)total);
    ck_assert_ok(sfs_unlink(&t.fs, "/fill"));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    tfs_remount(&t);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(inode_exhaustion)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .inode_count = 16 };
    tfs_setup_opts(&t, 1u << 20, &o, 0);
    char name[32];
    int made = 0, r = 0;
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "/f%d", i);
        r = sfs_create(&t.fs, name, 0644);
        if (r < 0)
            break;
        made++;
    }
    ck_assert_int_eq(r, SFS_ENOSPC);
    ck_assert_int_eq(made, 14); /* inode 0 reserved, 1 is the root */
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/d", 0755), SFS_ENOSPC);
    ck_assert_int_eq(tfs_check(&t), 0);
    ck_assert_ok(sfs_unlink(&t.fs, "/f3"));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

/* A large read is split into runs of physically contiguous blocks, each one
 * device request; a block with a newer copy in the cache must still win. */
START_TEST(large_read_runs_see_cached_writes)
{
    struct tfs t;
    tfs_setup(&t, 8 << 20, 4096);
    size_t len = 1 << 20;
    uint8_t *data = malloc(len), *back = malloc(len);
    tfs_fill(data, len, 7);
    ck_assert_ok(tfs_put(&t, "/big", data, len));
    ck_assert_ok(sfs_sync(&t.fs));
    struct sfs_file f;
    memset(&f, 0, sizeof(f));
    ck_assert_ok(sfs_open(&t.fs, &f, "/big", SFS_O_RDWR, 0));
    /* a small write stays dirty in the cache, in the middle of a run */
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "NEWER", 5, 300000), 5);
    memcpy(data + 300000, "NEWER", 5);
    uint64_t reads = t.fs.stat_reads;
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, len, 0), (long)len);
    ck_assert_int_eq(memcmp(back, data, len), 0);
    ck_assert_uint_gt(t.fs.stat_reads, reads);
    /* and once it is written back, the whole file is read in long runs */
    ck_assert_ok(sfs_sync(&t.fs));
    memset(back, 0, len);
    uint64_t calls = t.rd.reads;
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, len - 4096, 4096), (long)(len - 4096));
    ck_assert_int_eq(memcmp(back, data + 4096, len - 4096), 0);
    /* 255 blocks in a handful of requests (the block map may split runs), not 255 */
    ck_assert_uint_lt(t.rd.reads - calls, 32);
    ck_assert_ok(sfs_close(&t.fs, &f));
    free(data);
    free(back);
    tfs_teardown(&t);
}
END_TEST

Suite *file_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, write_read_small, 0, 3);
    tcase_add_test(tc, levels_roundtrip);
    tcase_add_test(tc, large_read_runs_see_cached_writes);
    tcase_add_test(tc, sparse_triple_indirect);
    tcase_add_test(tc, max_size_efbig);
    tcase_add_test(tc, truncate_zeroes_tail);
    tcase_add_test(tc, append_seek_tell);
    tcase_add_test(tc, open_flags);
    tcase_add_test(tc, unlink_open_file_reclaimed_on_close);
    tcase_add_test(tc, disk_full);
    tcase_add_test(tc, inode_exhaustion);
    suite_add_tcase(s, tc);
    return s;
}
