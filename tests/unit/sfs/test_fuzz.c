/*
 * test_fuzz.c - randomized differential test: random operation sequences run
 * against libsfs and against a small in-memory model of POSIX semantics,
 * comparing every result and, after each sequence, every file's type, size,
 * link count and contents and every directory's entries; the volume is
 * remounted at random points and sfs_check() must be clean after each
 * sequence. Several block sizes and volume sizes (small enough to fill up).
 *
 * SFS_FUZZ_SEED and SFS_FUZZ_VOLUMES override the seed and the volume count.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *fuzz_suite(void);

#define MAXE 40
#define MAXN 64
#define PLEN 160

struct mnode {
    bool used;
    bool link; /* a symbolic link: target is the content */
    char target[PLEN];
    uint8_t *data;
    size_t size;
    int nlink;
};

struct ment {
    bool used;
    bool is_dir;
    char path[PLEN];
    int node; /* files only */
};

struct model {
    struct mnode nodes[MAXN];
    struct ment ents[MAXE];
    uint64_t rng;
    uint32_t bs;
    long ops, enospc;
};

static uint32_t rnd(struct model *m, uint32_t n)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return n ? (uint32_t)(m->rng % n) : 0;
}

static int find(struct model *m, const char *p)
{
    for (int i = 0; i < MAXE; i++)
        if (m->ents[i].used && strcmp(m->ents[i].path, p) == 0)
            return i;
    return -1;
}

static bool under(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(p, dir, n) == 0 && p[n] == '/';
}

static int children(struct model *m, const char *dir, bool dirs_only)
{
    int n = 0;
    for (int i = 0; i < MAXE; i++) {
        if (!m->ents[i].used || (dirs_only && !m->ents[i].is_dir))
            continue;
        const char *p = m->ents[i].path;
        const char *slash = strrchr(p, '/');
        size_t plen = (size_t)(slash - p);
        if (strcmp(dir, "/") == 0 ? plen == 0 : (plen == strlen(dir) && !strncmp(p, dir, plen)))
            n++;
    }
    return n;
}

static int free_slot(struct model *m)
{
    for (int i = 0; i < MAXE; i++)
        if (!m->ents[i].used)
            return i;
    return -1;
}

static int new_node(struct model *m)
{
    for (int i = 0; i < MAXN; i++)
        if (!m->nodes[i].used) {
            memset(&m->nodes[i], 0, sizeof(m->nodes[i]));
            m->nodes[i].used = true;
            m->nodes[i].nlink = 1;
            return i;
        }
    return -1;
}

static void drop_ent(struct model *m, int e)
{
    struct ment *x = &m->ents[e];
    if (!x->is_dir && --m->nodes[x->node].nlink == 0) {
        free(m->nodes[x->node].data);
        m->nodes[x->node].data = NULL;
        m->nodes[x->node].used = false;
    }
    x->used = false;
}

/* A random path: an existing directory (or the root) plus a short name. */
static void rand_path(struct model *m, char *out)
{
    static const char *names[] = { "a", "b", "c", "d", "ee", "f0" };
    int dirs[MAXE], nd = 0;
    for (int i = 0; i < MAXE; i++)
        if (m->ents[i].used && m->ents[i].is_dir && strlen(m->ents[i].path) < PLEN - 8)
            dirs[nd++] = i;
    int pick = (int)rnd(m, (uint32_t)nd + 2);
    const char *parent = pick < nd ? m->ents[dirs[pick]].path : "";
    snprintf(out, PLEN, "%s/%s", parent, names[rnd(m, 6)]);
}

#define W_REG  1
#define W_DIR  2
#define W_LINK 4
#define W_ANY  (W_REG | W_DIR | W_LINK)

static int kind(struct model *m, int e)
{
    if (m->ents[e].is_dir)
        return W_DIR;
    return m->nodes[m->ents[e].node].link ? W_LINK : W_REG;
}

static int rand_ent(struct model *m, int want)
{
    int c[MAXE], n = 0;
    for (int i = 0; i < MAXE; i++)
        if (m->ents[i].used && (kind(m, i) & want))
            c[n++] = i;
    return n ? c[rnd(m, (uint32_t)n)] : -1;
}

#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        long got_ = (call);                                                                        \
        ck_assert_msg(got_ == (want), "op %ld: %s = %ld, model says %ld", m->ops, #call, got_,     \
                      (long)(want));                                                               \
    } while (0)

static void op_create(struct tfs *t, struct model *m, bool dir)
{
    char p[PLEN];
    rand_path(m, p);
    int e = find(m, p);
    int r = dir ? sfs_mkdir(&t->fs, p, 0755) : sfs_create(&t->fs, p, 0644);
    if (e >= 0) {
        EXPECT(r, SFS_EEXIST);
        return;
    }
    int slot = free_slot(m);
    if (r == SFS_ENOSPC) {
        m->enospc++;
        return;
    }
    EXPECT(r, 0);
    if (slot < 0) { /* model full: undo in the file system */
        EXPECT(dir ? sfs_rmdir(&t->fs, p) : sfs_unlink(&t->fs, p), 0);
        return;
    }
    int node = dir ? -1 : new_node(m);
    if (!dir && node < 0) {
        EXPECT(sfs_unlink(&t->fs, p), 0);
        return;
    }
    m->ents[slot] = (struct ment){ .used = true, .is_dir = dir, .node = node };
    strcpy(m->ents[slot].path, p);
}

static void op_write(struct tfs *t, struct model *m)
{
    int e = rand_ent(m, W_REG);
    if (e < 0)
        return;
    struct mnode *n = &m->nodes[m->ents[e].node];
    uint64_t off = rnd(m, 8) == 0 ? rnd(m, 300000) : rnd(m, 4 * m->bs + 100);
    size_t len = rnd(m, 2 * m->bs + 10);
    uint8_t *buf = malloc(len + 1);
    tfs_fill(buf, len, (uint32_t)m->ops);
    struct sfs_file f;
    EXPECT(sfs_open(&t->fs, &f, m->ents[e].path, SFS_O_RDWR, 0), 0);
    long w = sfs_pwrite(&t->fs, &f, buf, len, off);
    EXPECT(sfs_close(&t->fs, &f), 0);
    if (w == SFS_ENOSPC) {
        m->enospc++;
        free(buf);
        return;
    }
    ck_assert_msg(w >= 0 && (size_t)w <= len, "write returned %ld", w);
    if ((size_t)w < len)
        m->enospc++;
    if (w > 0) {
        if (off + (size_t)w > n->size) {
            n->data = realloc(n->data, off + (size_t)w);
            memset(n->data + n->size, 0, off + (size_t)w - n->size);
            n->size = off + (size_t)w;
        }
        memcpy(n->data + off, buf, (size_t)w);
    }
    free(buf);
}

static void op_truncate(struct tfs *t, struct model *m)
{
    int e = rand_ent(m, W_REG | W_DIR);
    if (e < 0)
        return;
    size_t size = rnd(m, 3 * m->bs + 50);
    int r = sfs_truncate(&t->fs, m->ents[e].path, size);
    if (m->ents[e].is_dir) {
        EXPECT(r, SFS_EISDIR);
        return;
    }
    EXPECT(r, 0);
    struct mnode *n = &m->nodes[m->ents[e].node];
    if (size > n->size) {
        n->data = realloc(n->data, size);
        memset(n->data + n->size, 0, size - n->size);
    }
    n->size = size;
}

static void op_unlink(struct tfs *t, struct model *m, bool dir)
{
    int e = rand_ent(m, W_ANY);
    if (e < 0)
        return;
    const char *p = m->ents[e].path;
    int r = dir ? sfs_rmdir(&t->fs, p) : sfs_unlink(&t->fs, p);
    if (!dir && m->ents[e].is_dir) {
        EXPECT(r, SFS_EISDIR);
    } else if (dir && !m->ents[e].is_dir) {
        EXPECT(r, SFS_ENOTDIR);
    } else if (dir && children(m, p, false)) {
        EXPECT(r, SFS_ENOTEMPTY);
    } else {
        EXPECT(r, 0);
        drop_ent(m, e);
    }
}

static void op_symlink(struct tfs *t, struct model *m)
{
    char p[PLEN], target[PLEN];
    rand_path(m, p);
    int other = rand_ent(m, W_ANY);
    if (other >= 0 && rnd(m, 2))
        strcpy(target, m->ents[other].path);
    else
        rand_path(m, target); /* maybe dangling */
    if (rnd(m, 3) == 0)
        memmove(target, target + 1, strlen(target)); /* relative */
    int r = sfs_symlink(&t->fs, target, p);
    if (find(m, p) >= 0) {
        EXPECT(r, SFS_EEXIST);
        return;
    }
    if (r == SFS_ENOSPC) {
        m->enospc++;
        return;
    }
    EXPECT(r, 0);
    int slot = free_slot(m), node = new_node(m);
    if (slot < 0 || node < 0) {
        if (node >= 0)
            m->nodes[node].used = false;
        EXPECT(sfs_unlink(&t->fs, p), 0);
        return;
    }
    m->nodes[node].link = true;
    strcpy(m->nodes[node].target, target);
    m->ents[slot] = (struct ment){ .used = true, .node = node };
    strcpy(m->ents[slot].path, p);
}

static void op_link(struct tfs *t, struct model *m)
{
    int e = rand_ent(m, W_ANY);
    if (e < 0)
        return;
    char p[PLEN];
    rand_path(m, p);
    int r = sfs_link(&t->fs, m->ents[e].path, p);
    if (find(m, p) >= 0) { /* Linux: an existing new name before a directory source */
        EXPECT(r, SFS_EEXIST);
        return;
    }
    if (m->ents[e].is_dir) {
        EXPECT(r, SFS_EPERM);
        return;
    }
    if (r == SFS_ENOSPC) {
        m->enospc++;
        return;
    }
    EXPECT(r, 0);
    int slot = free_slot(m);
    if (slot < 0) {
        EXPECT(sfs_unlink(&t->fs, p), 0);
        return;
    }
    m->ents[slot] = (struct ment){ .used = true, .node = m->ents[e].node };
    strcpy(m->ents[slot].path, p);
    m->nodes[m->ents[e].node].nlink++;
}

static void op_rename(struct tfs *t, struct model *m)
{
    int s = rand_ent(m, W_ANY);
    if (s < 0)
        return;
    char src[PLEN], dst[PLEN + 8];
    strcpy(src, m->ents[s].path);
    if (rnd(m, 4) == 0 && m->ents[s].is_dir)
        snprintf(dst, sizeof(dst), "%s/%s", src, "zz"); /* into itself */
    else
        rand_path(m, dst);
    if (strlen(dst) >= PLEN - 8)
        return;
    int r = sfs_rename(&t->fs, src, dst);
    int d = find(m, dst);
    bool sdir = m->ents[s].is_dir;
    if (d == s) {
        EXPECT(r, 0);
        return;
    }
    /* Linux's order: into itself (EINVAL), then a target above the source
     * (ENOTEMPTY), then the same inode, the types and emptiness. */
    if (sdir && under(dst, src)) {
        EXPECT(r, SFS_EINVAL);
        return;
    }
    if (d >= 0 && m->ents[d].is_dir && under(src, dst)) {
        EXPECT(r, SFS_ENOTEMPTY);
        return;
    }
    if (d >= 0) {
        if (!sdir && !m->ents[d].is_dir && m->ents[d].node == m->ents[s].node) {
            EXPECT(r, 0);
            return;
        }
        if (sdir && !m->ents[d].is_dir) {
            EXPECT(r, SFS_ENOTDIR);
            return;
        }
        if (!sdir && m->ents[d].is_dir) {
            EXPECT(r, SFS_EISDIR);
            return;
        }
        if (sdir && children(m, dst, false)) {
            EXPECT(r, SFS_ENOTEMPTY);
            return;
        }
    }
    if (d < 0 && r == SFS_ENOSPC) {
        m->enospc++;
        return;
    }
    EXPECT(r, 0);
    if (d >= 0)
        drop_ent(m, d);
    size_t sl = strlen(src);
    for (int i = 0; i < MAXE; i++) {
        if (!m->ents[i].used)
            continue;
        if (i == s) {
            strcpy(m->ents[i].path, dst);
        } else if (sdir && under(m->ents[i].path, src)) {
            char tmp[PLEN * 2];
            snprintf(tmp, sizeof(tmp), "%s%s", dst, m->ents[i].path + sl);
            ck_assert_uint_lt(strlen(tmp), PLEN);
            strcpy(m->ents[i].path, tmp);
        }
    }
}

static void verify_file(struct tfs *t, struct model *m, int e)
{
    struct mnode *n = &m->nodes[m->ents[e].node];
    struct sfs_stat st;
    EXPECT(sfs_lstat(&t->fs, m->ents[e].path, &st), 0);
    ck_assert_uint_eq(st.nlink, (uint32_t)n->nlink);
    if (n->link) {
        char buf[PLEN];
        ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFLNK);
        ck_assert_uint_eq(st.size, strlen(n->target));
        EXPECT(sfs_readlink(&t->fs, m->ents[e].path, buf, sizeof(buf)), (long)strlen(n->target));
        ck_assert_mem_eq(buf, n->target, strlen(n->target));
        return;
    }
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFREG);
    ck_assert_uint_eq(st.size, n->size);
    void *d = NULL;
    long got = tfs_get(t, m->ents[e].path, &d);
    ck_assert_int_eq(got, (long)n->size);
    ck_assert_msg(n->size == 0 || memcmp(d, n->data, n->size) == 0, "content of %s differs",
                  m->ents[e].path);
    free(d);
}

/* The names readdir returns for @dir are exactly the model's children. */
static void verify_names(struct tfs *t, struct model *m, const char *dir)
{
    struct sfs_dir d;
    struct sfs_dirent de;
    EXPECT(sfs_dir_open(&t->fs, &d, dir), 0);
    int got = 0, r;
    while ((r = sfs_dir_read(&t->fs, &d, &de)) == 1) {
        if (!strcmp(de.name, ".") || !strcmp(de.name, ".."))
            continue;
        char p[PLEN * 2];
        snprintf(p, sizeof(p), "%s/%s", strcmp(dir, "/") ? dir : "", de.name);
        int e = find(m, p);
        ck_assert_msg(e >= 0, "readdir of %s returned unknown %s", dir, de.name);
        ck_assert_uint_eq(de.type, kind(m, e) == W_DIR    ? SFS_DT_DIR
                                   : kind(m, e) == W_LINK ? SFS_DT_LNK
                                                          : SFS_DT_REG);
        got++;
    }
    EXPECT(r, 0);
    EXPECT(sfs_dir_close(&t->fs, &d), 0);
    ck_assert_int_eq(got, children(m, dir, false));
}

static void verify_all(struct tfs *t, struct model *m)
{
    for (int i = 0; i < MAXE; i++) {
        if (!m->ents[i].used)
            continue;
        if (m->ents[i].is_dir) {
            struct sfs_stat st;
            EXPECT(sfs_lstat(&t->fs, m->ents[i].path, &st), 0);
            ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFDIR);
            ck_assert_uint_eq(st.nlink, 2u + (uint32_t)children(m, m->ents[i].path, true));
            verify_names(t, m, m->ents[i].path);
        } else {
            verify_file(t, m, i);
        }
    }
    verify_names(t, m, "/");
    ck_assert_int_eq(tfs_check(t), 0);
}

static void run_volume(uint32_t bs, uint64_t bytes, uint64_t seed, int seqs, int ops)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = bs };
    tfs_setup_opts(&t, bytes, &o, 8 + (uint32_t)(seed % 24));
    struct model *m = calloc(1, sizeof(*m));
    m->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    m->bs = bs;
    for (int s = 0; s < seqs; s++) {
        for (int k = 0; k < ops; k++, m->ops++) {
            switch (rnd(m, 20)) {
            case 0:
            case 1:
            case 2:
                op_create(&t, m, false);
                break;
            case 3:
            case 4:
                op_create(&t, m, true);
                break;
            case 5:
            case 6:
            case 7:
            case 8:
                op_write(&t, m);
                break;
            case 9:
            case 10:
                op_truncate(&t, m);
                break;
            case 11:
            case 12:
                op_unlink(&t, m, false);
                break;
            case 13:
                op_unlink(&t, m, true);
                break;
            case 14:
                op_link(&t, m);
                break;
            case 15:
            case 16:
            case 17:
                op_rename(&t, m);
                break;
            case 18: {
                if (rnd(m, 2)) {
                    op_symlink(&t, m);
                    break;
                }
                int e = rand_ent(m, W_REG | W_LINK);
                if (e >= 0)
                    verify_file(&t, m, e);
                break;
            }
            default:
                if (rnd(m, 4) == 0)
                    tfs_remount(&t);
                break;
            }
        }
        verify_all(&t, m);
        if (rnd(m, 3) == 0) {
            tfs_remount(&t);
            verify_all(&t, m);
        }
    }
    if (getenv("SFS_FUZZ_VERBOSE")) {
        int live = 0;
        for (int i = 0; i < MAXE; i++)
            live += m->ents[i].used;
        fprintf(stderr, "bs %u seed %llu: %ld ops, %ld ENOSPC, %d entries at end\n", bs,
                (unsigned long long)seed, m->ops, m->enospc, live);
    }
    for (int i = 0; i < MAXN; i++)
        free(m->nodes[i].data);
    free(m);
    tfs_teardown(&t);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 0) : def;
}

static const uint32_t fuzz_bs[] = { 1024, 2048, 4096 };

START_TEST(differential)
{
    uint32_t bs = fuzz_bs[_i];
    uint64_t seed = env_u64("SFS_FUZZ_SEED", 1);
    int volumes = (int)env_u64("SFS_FUZZ_VOLUMES", 80);
    for (int v = 0; v < volumes; v++) {
        uint64_t s = seed + (uint64_t)v * 7919 + bs;
        run_volume(bs, (v % 3 == 0 ? 256u : 1024u) << 10, s, 10, 30);
    }
}
END_TEST

Suite *fuzz_suite(void)
{
    Suite *s = suite_create("fuzz");
    TCase *tc = tcase_create("differential");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, differential, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
