/*
 * test_fixes.c - tests for defects the SFS review (issue 18) found that no
 * other suite pins down on its own. Every defect of that review has a test
 * that was run once with its fix switched off and failed:
 *
 *   rename over an open file, O_APPEND after a rename,  vfs: test_sfs_vfs.c (failed on
 *   fstat/ftruncate of an unlinked open file            the path-string adapter)
 *   journal never written; power cuts accept anything   test_powerloss.c (its output shows
 *                                                         the failures with the journal off)
 *   DIRTY flag never read                               unclean_shutdown_is_noticed_at_mount
 *   fsck mounts read-write                              test_sfs_tools.py test_fsck_repairs
 *   rename failing with EIO leaves two names            rename_that_fails_half_way_...
 *   index rebuild frees the old index first             index_rebuild_on_a_full_disk_...
 *   layout check adds in 32 bits                        layout_sum_that_wraps_32_bits_...
 *   sfs_check reads a mode it never read                test_check.c failed_inode_read_...
 *   "is mounted" checked before the lock                test_inode.c mounted_check_under_...
 *   quadratic checking of a full index                  test_check.c checking_is_bounded
 *   sfs tree never ends on a cycle                      test_sfs_tools.py test_tree_ends_...
 *   open-but-unlinked space lost at a crash             test_recovery.c
 *   fsck/mkfs on a mounted volume                       test_shell.py test_system_commands
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *fixes_suite(void);

/*
 * A device that claims 2^32 - 256 blocks of 1 KiB (4 TiB) but stores only
 * what a mount of a crafted superblock touches: reads of a mapped block come
 * from a small formatted image, everything else reads as zeros, and writes
 * land in a small overlay.
 */
struct sparse {
    const uint8_t *img;  /* the small formatted volume */
    uint64_t img_blocks; /* its size in 1 KiB blocks */
    uint32_t itable_from, itable_to, itable_n;
    uint32_t journal_from, journal_to, journal_n;
    uint64_t wsec[64];
    uint8_t wdata[64][512];
    int nw;
};

static const uint8_t *sparse_map(const struct sparse *s, uint64_t block)
{
    uint64_t src = block;
    if (block >= s->itable_to && block < (uint64_t)s->itable_to + s->itable_n)
        src = s->itable_from + (block - s->itable_to);
    else if (block >= s->journal_to && block < (uint64_t)s->journal_to + s->journal_n)
        src = s->journal_from + (block - s->journal_to);
    else if (block >= s->itable_from)
        return NULL; /* the small image's other regions are not mapped */
    return src < s->img_blocks ? s->img + src * 1024 : NULL;
}

static int sparse_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct sparse *s = ctx;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *dst = (uint8_t *)buf + (size_t)i * 512;
        uint64_t sec = sector + i;
        const uint8_t *b = sparse_map(s, sec / 2);
        if (b)
            memcpy(dst, b + (sec % 2) * 512, 512);
        else
            memset(dst, 0, 512);
        for (int w = 0; w < s->nw; w++)
            if (s->wsec[w] == sec)
                memcpy(dst, s->wdata[w], 512);
    }
    return 0;
}

static int sparse_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct sparse *s = ctx;
    for (uint32_t i = 0; i < count; i++) {
        int w = 0;
        while (w < s->nw && s->wsec[w] != sector + i)
            w++;
        if (w == 64)
            return -1;
        if (w == s->nw)
            s->nw++;
        s->wsec[w] = sector + i;
        memcpy(s->wdata[w], (const uint8_t *)buf + (size_t)i * 512, 512);
    }
    return 0;
}

static uint32_t sb_get(const uint8_t *sb, uint32_t off)
{
    return sfs_ld32(sb + off);
}

START_TEST(layout_sum_that_wraps_32_bits_is_refused)
{
    /* The regions of this superblock add up to 2^32 + a little: summed in 32
     * bits they "fit" the volume, and every layout field agrees with that
     * wrapped sum. The mount must refuse it as regions larger than the volume. */
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = 64 };
    tfs_setup_opts(&t, 1u << 20, &o, 0);
    ck_assert_ok(sfs_unmount(&t.fs));
    uint8_t sb[1024];
    memcpy(sb, t.rd.data, sizeof(sb));
    const uint32_t total = 0xFFFFFF00u, jblocks = 0xFFFFF000u;
    uint32_t ib = sb_get(sb, SFS_SB_IBITMAP_BLOCKS), it = sb_get(sb, SFS_SB_ITABLE_BLOCKS);
    uint32_t db = (uint32_t)(((uint64_t)total + 8191) / 8192);
    uint32_t itable = 1 + ib + db, journal = itable + it;
    uint32_t data32 = journal + jblocks; /* wraps */
    ck_assert_uint_lt(data32, total);
    struct sparse *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    s->img = t.rd.data;
    s->img_blocks = (1u << 20) / 1024;
    s->itable_from = sb_get(sb, SFS_SB_ITABLE_START);
    s->itable_to = itable;
    s->itable_n = it;
    s->journal_from = sb_get(sb, SFS_SB_JOURNAL_START);
    s->journal_to = journal;
    s->journal_n = sb_get(sb, SFS_SB_JOURNAL_BLOCKS);
    static const uint32_t offs[] = { SFS_SB_TOTAL_BLOCKS,   SFS_SB_JOURNAL_BLOCKS,
                                     SFS_SB_DBITMAP_BLOCKS, SFS_SB_ITABLE_START,
                                     SFS_SB_JOURNAL_START,  SFS_SB_DATA_START };
    const uint32_t vals[] = { total, jblocks, db, itable, journal, data32 };
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
        sfs_st32(sb + offs[i], vals[i]);
    sfs_st32(sb + SFS_SB_CHECKSUM, sfs_crc32(0, sb, SFS_SB_CHECKSUM));
    memcpy(s->wdata[0], sb, 512);
    memcpy(s->wdata[1], sb + 512, 512);
    s->wsec[0] = 0;
    s->wsec[1] = 1;
    /* The journal superblock names the same (wrapped) journal size. */
    uint8_t jsb[1024];
    memcpy(jsb, t.rd.data + (size_t)s->journal_from * 1024, sizeof(jsb));
    sfs_st32(jsb + SFS_J_COUNT, jblocks);
    sfs_st32(jsb + SFS_J_HDR_CRC, sfs_crc32(0, jsb, SFS_J_HDR_CRC));
    memcpy(s->wdata[2], jsb, 512);
    memcpy(s->wdata[3], jsb + 512, 512);
    s->wsec[2] = (uint64_t)journal * 2;
    s->wsec[3] = (uint64_t)journal * 2 + 1;
    s->nw = 4;
    struct sfs_blockdev dev = { .read = sparse_read,
                                .write = sparse_write,
                                .ctx = s,
                                .sector_size = 512,
                                .sector_count = (uint64_t)total * 2 };
    struct sfs fs;
    memset(&fs, 0, sizeof(fs));
    int lines = t.log_lines;
    int r = sfs_mount(&fs, &dev, &t.cfg);
    if (r == 0)
        sfs_unmount(&fs);
    ck_assert_msg(r == SFS_ECORRUPT, "mount of a wrapped layout: %d", r);
    ck_assert_int_gt(t.log_lines, lines);
    ck_assert_int_eq(t.allocs, 0);
    free(s);
    sfs_ramdev_free(&t.rd);
}
END_TEST

/* Names in the whole volume that refer to @ino. */
static int names_of(struct tfs *t, const char *dir, uint32_t ino)
{
    struct sfs_dir d;
    struct sfs_dirent e;
    int n = 0;
    ck_assert_ok(sfs_dir_open(&t->fs, &d, dir));
    while (sfs_dir_read(&t->fs, &d, &e) > 0)
        if (e.ino == ino && strcmp(e.name, ".") != 0 && strcmp(e.name, "..") != 0)
            n++;
    sfs_dir_close(&t->fs, &d);
    return n;
}

START_TEST(rename_that_fails_half_way_keeps_the_link_count)
{
    /* Without a journal, every device read from the Nth on fails during a
     * rename between two directories. Once the new name is in, a failure to
     * remove the old one takes the new name out again; if that fails too, the
     * inode counts both names. Never two names with a link count of 1 (an
     * unlink of one would free the inode under the other). */
    int both = 0;
    for (long n = 0; n < 40; n++) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
        tfs_setup_opts(&t, 1u << 20, &o, 8);
        ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
        ck_assert_ok(sfs_mkdir(&t.fs, "/b", 0755));
        char name[32];
        for (int i = 0; i < 24; i++) {
            snprintf(name, sizeof(name), "/a/f%02d", i);
            ck_assert_ok(tfs_put(&t, name, name, strlen(name)));
            snprintf(name, sizeof(name), "/b/g%02d", i);
            ck_assert_ok(tfs_put(&t, name, name, strlen(name)));
        }
        struct sfs_stat st;
        ck_assert_ok(sfs_stat(&t.fs, "/a/f23", &st));
        tfs_remount(&t);
        t.rd.fail_reads_after = n;
        int r = sfs_rename(&t.fs, "/a/f23", "/b/moved");
        sfs_ramdev_heal(&t.rd);
        ck_assert(r == 0 || r == SFS_EIO);
        int names = names_of(&t, "/a", st.ino) + names_of(&t, "/b", st.ino);
        ck_assert_ok(sfs_stat_ino(&t.fs, st.ino, &st));
        ck_assert_msg(names >= 1 && (uint32_t)names == st.nlink,
                      "read %ld failed: %d names, nlink %u", n, names, st.nlink);
        both += names == 2;
        ck_assert_ok(sfs_sync(&t.fs));
        ck_assert_int_eq(tfs_check(&t), 0);
        tfs_teardown(&t);
    }
    ck_assert_int_gt(both, 0);
}
END_TEST

START_TEST(index_rebuild_on_a_full_disk_keeps_every_name)
{
    /* Without a journal, a directory's index is rebuilt at twice the size
     * when it fills. On a nearly full disk the rebuild must be refused before
     * the old index is freed: the add fails with ENOSPC and every name that
     * was there still resolves. Each round leaves a different number of free
     * blocks, so some rebuild runs out part way without the up-front check. */
    int refused = 0;
    for (uint32_t spare = 16; spare < 40; spare++) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024,
                                     .inode_count = 256,
                                     .journal_blocks = UINT32_MAX };
        tfs_setup_opts(&t, 1u << 20, &o, 16);
        ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
        struct sfs_file f;
        ck_assert_ok(sfs_open(&t.fs, &f, "/big", SFS_O_WRONLY | SFS_O_CREAT, 0644));
        static uint8_t chunk[1024];
        while (sfs_write(&t.fs, &f, chunk, sizeof(chunk)) == (long)sizeof(chunk))
            ;
        struct sfs_stat st;
        ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
        ck_assert_ok(sfs_ftruncate(&t.fs, &f, st.size - (uint64_t)spare * 1024));
        ck_assert_ok(sfs_close(&t.fs, &f));
        char name[32];
        int made = 0, r;
        for (;;) {
            snprintf(name, sizeof(name), "/d/entry-%04d", made);
            r = sfs_create(&t.fs, name, 0644);
            if (r < 0)
                break;
            made++;
        }
        ck_assert_msg(r == SFS_ENOSPC, "create %d: %d", made, r);
        for (int i = 0; i < made; i++) {
            snprintf(name, sizeof(name), "/d/entry-%04d", i);
            ck_assert_msg(sfs_stat(&t.fs, name, &st) == 0, "%u spare: %s lost", spare, name);
        }
        ck_assert_int_eq(tfs_count(&t, "/d"), made);
        refused += t.fs.free_blocks > 0;
        tfs_remount(&t);
        ck_assert_int_eq(tfs_check(&t), 0);
        tfs_teardown(&t);
    }
    ck_assert_int_gt(refused, 0);
}
END_TEST

static int unclean_lines;

static void count_unclean(void *ctx, const char *msg, uint64_t a, uint64_t b)
{
    (void)ctx, (void)a, (void)b;
    if (strstr(msg, "not cleanly unmounted"))
        unclean_lines++;
}

START_TEST(unclean_shutdown_is_noticed_at_mount)
{
    /* The superblock says DIRTY while a volume is mounted. The next mount
     * reads it: without a journal it reports the volume as needing fsck;
     * with one it replays what was committed. A clean unmount says neither. */
    for (int journal = 0; journal < 2; journal++) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024,
                                     .journal_blocks = journal ? 0 : UINT32_MAX };
        tfs_setup_opts(&t, 1u << 20, &o, 16);
        t.cfg.log = count_unclean;
        unclean_lines = 0;
        ck_assert_ok(tfs_put(&t, "/kept", "data", 4));
        ck_assert_ok(sfs_sync(&t.fs));
        tfs_remount(&t); /* clean */
        ck_assert_int_eq(t.fs.was_dirty, 0);
        ck_assert_int_eq(unclean_lines, 0);
        ck_assert_ok(tfs_put(&t, "/synced", "more", 4));
        ck_assert_ok(sfs_sync(&t.fs));
        t.rd.power_cut_after = 0; /* the crash: nothing more reaches the disk */
        sfs_unmount(&t.fs);
        sfs_ramdev_heal(&t.rd);
        ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
        ck_assert_int_eq(t.fs.was_dirty, 1);
        ck_assert_int_eq(unclean_lines, journal ? 0 : 1);
        struct sfs_stat st;
        ck_assert_ok(sfs_stat(&t.fs, "/synced", &st));
        ck_assert_int_eq(tfs_check(&t), 0);
        tfs_teardown(&t);
    }
}
END_TEST

Suite *fixes_suite(void)
{
    Suite *s = suite_create("fixes");
    TCase *tc = tcase_create("fixes");
    tcase_add_test(tc, layout_sum_that_wraps_32_bits_is_refused);
    tcase_add_test(tc, rename_that_fails_half_way_keeps_the_link_count);
    tcase_add_test(tc, index_rebuild_on_a_full_disk_keeps_every_name);
    tcase_add_test(tc, unclean_shutdown_is_noticed_at_mount);
    suite_add_tcase(s, tc);
    return s;
}
