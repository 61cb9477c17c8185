/*
 * test_synthfs.c - synthetic trees: generated files read in pieces, fixed and
 * dynamic directory entries, "..", computed symlinks, stable inode numbers,
 * read-only behaviour, errors from callbacks, the size limit, and tree checks.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdio.h>
#include <string.h>
#include <vfs/synthfs.h>

Suite *synthfs_suite(void);

enum { T_ROOT, T_HELLO, T_SELF, T_BIG, T_FAIL, T_DYN, T_ITEM, T_VAL, T_BADLINK, T_EMPTY, T_COUNT };

static int show_hello(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)arg;
    return synthfs_printf(b, "hello %s\n", (const char *)tctx);
}

static int show_big(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    (void)arg;
    static char chunk[4096];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 1024; i++) /* 4 MiB: past SYNTHFS_FILE_MAX */
        if (synthfs_write(b, chunk, sizeof(chunk)))
            break;
    return 0;
}

static int show_fail(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    (void)arg;
    synthfs_printf(b, "partial");
    return -EIO;
}

static int show_val(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    return synthfs_printf(b, "item %llu", (unsigned long long)arg);
}

static int show_empty(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    (void)arg;
    (void)b;
    return 0;
}

static int link_self(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    (void)arg;
    return synthfs_printf(b, "dyn/7");
}

static int link_bad(void *tctx, uint64_t arg, struct synthfs_buf *b)
{
    (void)tctx;
    (void)arg;
    (void)b;
    return -ENOENT;
}

/* Dynamic children of dyn/: items 3, 7 and 9 (and 11 once "grow" is set). */
static int grow;
static const uint64_t items[] = { 3, 7, 9, 11 };

static int dyn_next(void *tctx, uint64_t arg, uint64_t *cookie, struct synthfs_child *out)
{
    (void)tctx;
    (void)arg;
    size_t n = grow ? 4 : 3;
    for (size_t i = 0; i < n; i++) {
        if (items[i] >= *cookie) {
            snprintf(out->name, sizeof(out->name), "%llu", (unsigned long long)items[i]);
            out->entry = T_ITEM;
            out->arg = items[i];
            *cookie = items[i] + 1;
            return 1;
        }
    }
    return 0;
}

static int dyn_lookup(void *tctx, uint64_t arg, const char *name, struct synthfs_child *out)
{
    (void)tctx;
    (void)arg;
    for (size_t i = 0; i < 3; i++) {
        char s[24];
        snprintf(s, sizeof(s), "%llu", (unsigned long long)items[i]);
        if (strcmp(s, name) == 0) {
            out->entry = T_ITEM;
            out->arg = items[i];
            return 0;
        }
    }
    if (strcmp(name, "bogus") == 0) {
        out->entry = 999; /* a broken provider */
        out->arg = 0;
        return 0;
    }
    return -ENOENT;
}

static const uint16_t root_kids[] = { T_HELLO, T_SELF, T_BIG, T_FAIL, T_DYN, T_BADLINK, T_EMPTY };
static const uint16_t item_kids[] = { T_VAL };

static const struct synthfs_entry entries[T_COUNT] = {
    [T_ROOT] = { .type = VFS_TYPE_DIR, .mode = 0555, .kids = root_kids, .nkids = 7 },
    [T_HELLO] = { .name = "hello", .type = VFS_TYPE_FILE, .mode = 0444, .show = show_hello },
    [T_SELF] = { .name = "self", .type = VFS_TYPE_SYMLINK, .mode = 0777, .link = link_self },
    [T_BIG] = { .name = "big", .type = VFS_TYPE_FILE, .mode = 0444, .show = show_big },
    [T_FAIL] = { .name = "fail", .type = VFS_TYPE_FILE, .mode = 0444, .show = show_fail },
    [T_DYN] = { .name = "dyn",
                .type = VFS_TYPE_DIR,
                .mode = 0555,
                .next = dyn_next,
                .lookup = dyn_lookup },
    [T_ITEM] = { .type = VFS_TYPE_DIR, .mode = 0555, .kids = item_kids, .nkids = 1 },
    [T_VAL] = { .name = "val", .type = VFS_TYPE_FILE, .mode = 0400, .show = show_val },
    [T_BADLINK] = { .name = "badlink", .type = VFS_TYPE_SYMLINK, .mode = 0777, .link = link_bad },
    [T_EMPTY] = { .name = "empty", .type = VFS_TYPE_FILE, .mode = 0444, .show = show_empty },
};

static struct synthfs_tree tree = { entries, T_COUNT, "world" };

static int t_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    return synthfs_mount(mnt, source ? source : &tree, root);
}

static const struct vfs_fs_type testfs_type = {
    .name = "synthtest", .mount = t_mount, .unmount = synthfs_unmount, .magic = 0x5157
};

static void setup(void)
{
    vfs_fixture_setup();
    ck_assert_int_eq(vfs_register_fs(&testfs_type), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/s", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/s", "synthtest", NULL), 0);
    grow = 0;
}

START_TEST(test_generated_file_read_in_pieces)
{
    int fd = vfs_open(&ctx, "/s/hello", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    char buf[32] = { 0 };
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, 3), 3);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf + 3, 100), 9);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf + 12, 100), 0);
    ck_assert_str_eq(buf, "hello world\n");
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 5, 6), 5);
    ck_assert_int_eq(memcmp(buf, "world", 5), 0);
    vfs_close(&ctx, fd);
    int err;
    ck_assert_str_eq(get_file("/s/empty", &err), "");
    ck_assert_int_eq(err, 0);
}
END_TEST

START_TEST(test_readdir_fixed_then_dynamic)
{
    static const char *const want[] = { ".",    "..",  "hello",   "self", "big",
                                        "fail", "dyn", "badlink", "empty" };
    int fd = vfs_open(&ctx, "/s", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(fd, 0);
    struct vfs_dirent de;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
        ck_assert_str_eq(de.name, want[i]);
    }
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 0);
    vfs_close(&ctx, fd);

    fd = vfs_open(&ctx, "/s/dyn", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1); /* . */
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1); /* .. */
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "3");
    ck_assert_int_eq(de.type, VFS_TYPE_DIR);
    ck_assert_int_eq(de.ino, synthfs_ino(T_ITEM, 3));
    grow = 1; /* an entry appears during the listing: it is seen, nothing twice */
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "7");
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "9");
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "11");
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 0);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_dynamic_lookup_dotdot_and_inodes)
{
    int err;
    ck_assert_str_eq(get_file("/s/dyn/9/val", &err), "item 9");
    ck_assert_str_eq(get_file("/s/dyn/9/../7/val", &err), "item 7");
    get_file("/s/dyn/8/val", &err);
    ck_assert_int_eq(err, -ENOENT);
    get_file("/s/dyn/bogus", &err);
    ck_assert_int_eq(err, -EIO);
    struct vfs_stat a, b;
    ck_assert_int_eq(vfs_stat(&ctx, "/s/dyn/3", &a), 0);
    ck_assert_int_eq(vfs_stat(&ctx, "/s/dyn/9/../3", &b), 0);
    ck_assert_uint_eq(a.ino, b.ino);
    ck_assert_int_eq(a.type, VFS_TYPE_DIR);
    ck_assert_int_eq(a.mode, 0555);
    ck_assert_int_eq(a.nlink, 2);
    ck_assert_int_eq(vfs_stat(&ctx, "/s/dyn/3/val", &b), 0);
    ck_assert_int_eq(b.mode, 0400);
    ck_assert_uint_eq(b.size, 0);
    ck_assert_uint_ne(a.ino, b.ino);
    /* chdir in, then walk out through ".." across the mount point */
    ck_assert_int_eq(vfs_chdir(&ctx, "/s/dyn/7"), 0);
    ck_assert_str_eq(get_file("val", &err), "item 7");
    ck_assert_int_eq(vfs_chdir(&ctx, "../../.."), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    ck_assert_int_eq(vfs_stat(&ctx, "/s/..", &a), 0);
    ck_assert_int_eq(vfs_stat(&ctx, "/", &b), 0);
    ck_assert_uint_eq(a.ino, b.ino);
}
END_TEST

START_TEST(test_symlinks)
{
    char buf[64];
    ck_assert_int_eq(vfs_readlink(&ctx, "/s/self", buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "dyn/7");
    ck_assert_int_eq(vfs_readlink(&ctx, "/s/self", buf, 3), 2); /* truncated, NUL-terminated */
    ck_assert_str_eq(buf, "dy");
    int err;
    ck_assert_str_eq(get_file("/s/self/val", &err), "item 7");
    ck_assert_int_eq(vfs_readlink(&ctx, "/s/badlink", buf, sizeof(buf)), -ENOENT);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_lstat(&ctx, "/s/self", &st), 0);
    ck_assert_int_eq(st.type, VFS_TYPE_SYMLINK);
}
END_TEST

START_TEST(test_read_only)
{
    ck_assert_int_eq(vfs_open(&ctx, "/s/hello", VFS_O_WRONLY, 0), -EACCES);
    ck_assert_int_eq(vfs_open(&ctx, "/s/hello", VFS_O_RDONLY | VFS_O_TRUNC, 0), -EACCES);
    ck_assert_int_eq(vfs_open(&ctx, "/s/new", VFS_O_WRONLY | VFS_O_CREAT, 0644), -EPERM);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/s/d", 0755), -EPERM);
    ck_assert_int_eq(vfs_unlink(&ctx, "/s/hello"), -EPERM);
    ck_assert_int_eq(vfs_rename(&ctx, "/s/hello", "/s/x"), -EPERM);
    ck_assert_int_eq(vfs_truncate(&ctx, "/s/hello", 0), -EINVAL);
    struct vfs_statfs sf;
    ck_assert_int_eq(vfs_statfs(&ctx, "/s/dyn", &sf), 0);
    ck_assert_str_eq(sf.type, "synthtest");
    ck_assert_uint_eq(sf.magic, 0x5157);
}
END_TEST

START_TEST(test_errors_from_callbacks_and_limits)
{
    int err;
    get_file("/s/fail", &err);
    ck_assert_int_eq(err, -EIO);
    get_file("/s/big", &err);
    ck_assert_int_eq(err, -EFBIG);
}
END_TEST

START_TEST(test_buffer_write_and_out_of_memory)
{
    struct synthfs_buf b = { 0 };
    ck_assert_int_eq(synthfs_write(&b, "a\0b", 3), 0);
    ck_assert_int_eq(synthfs_printf(&b, "%d-%s", 42, "x"), 0);
    ck_assert_uint_eq(b.len, 7);
    ck_assert_int_eq(memcmp(b.data, "a\0b42-x", 7), 0);
    synthfs_buf_free(&b);
    ck_assert_ptr_null(b.data);
    b.err = -ENOMEM; /* a sticky error: nothing more is kept */
    ck_assert_int_eq(synthfs_printf(&b, "more"), -ENOMEM);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(test_bad_trees_refused)
{
    struct synthfs_entry bad[3];
    struct synthfs_tree t = { bad, 3, NULL };
    static const uint16_t out_of_range[] = { 5 };
    static const uint16_t to_root[] = { 0 };
    static const uint16_t ok_kid[] = { 1 };
    memset(bad, 0, sizeof(bad));
    bad[0] = (struct synthfs_entry){ .type = VFS_TYPE_DIR, .kids = ok_kid, .nkids = 1 };
    bad[1] = (struct synthfs_entry){ .name = "f", .type = VFS_TYPE_FILE, .show = show_empty };
    bad[2] = (struct synthfs_entry){ .name = "l", .type = VFS_TYPE_SYMLINK, .link = link_self };
    ck_assert_int_eq(synthfs_check(&t), 0);
    bad[1].show = NULL; /* a file without contents */
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[1].show = show_empty;
    bad[2].link = NULL;
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[2].link = link_self;
    bad[0].kids = out_of_range;
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[0].kids = to_root;
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[0].kids = ok_kid;
    bad[0].next = dyn_next; /* next without lookup */
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[0].next = NULL;
    bad[2].type = 99;
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    bad[2].type = VFS_TYPE_SYMLINK;
    bad[0].type = VFS_TYPE_FILE; /* the root must be a directory */
    ck_assert_int_eq(synthfs_check(&t), -EINVAL);
    ck_assert_int_eq(synthfs_check(NULL), -EINVAL);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/t", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/t", "synthtest", &t), -EINVAL);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/t"), 0);
}
END_TEST

Suite *synthfs_suite(void)
{
    Suite *s = suite_create("synthfs");
    TCase *tc = tcase_create("synthfs");
    tcase_add_checked_fixture(tc, setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_generated_file_read_in_pieces);
    tcase_add_test(tc, test_readdir_fixed_then_dynamic);
    tcase_add_test(tc, test_dynamic_lookup_dotdot_and_inodes);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_read_only);
    tcase_add_test(tc, test_errors_from_callbacks_and_limits);
    tcase_add_test(tc, test_buffer_write_and_out_of_memory);
    tcase_add_test(tc, test_bad_trees_refused);
    suite_add_tcase(s, tc);
    return s;
}
