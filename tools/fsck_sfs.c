/*
 * fsck_sfs.c - fsck.sfs: check an SFS image with the library's sfs_check()
 * and report every problem. Exit status as e2fsck: 0 clean, 1 errors
 * corrected, 4 errors left uncorrected, 8 operational error (cannot open or
 * mount), 16 usage error.
 *
 * -n (the default) mounts read-only: nothing at all is written, not even the
 * state flag, and a journal transaction awaiting replay is reported. -p/-y
 * mount read-write, which replays the journal and finishes orphaned inodes,
 * then run the library's sfs_repair() (every repair printed as "fixed: ...")
 * and check the result: 1 if it is clean, 4 if anything is left.
 *
 * A mounted file system is refused (exit status 8, sfs_image_check_unmounted()):
 * its state on the disk is not what the mounted copy holds. The same source
 * builds for the host (build/bin/fsck.sfs, on image files) and for Kestrel
 * (/sbin/fsck.sfs, also installed as /sbin/fsck, on a device such as
 * /dev/vda); "-t sfs" is accepted as fsck(8) passes it.
 */
#include "sfs_image.h"
#include <sfs/sfs_check.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: fsck.sfs [-t sfs] [-n|-p|-y] [-q] IMAGE\n"
                 "Check every invariant of an SFS image: bitmaps against reachable blocks and\n"
                 "inodes, link counts, . and .., directory indexes, sizes against block maps,\n"
                 "blocks owned twice, a journal awaiting replay.\n"
                 "  -n            check only, write nothing (default)\n"
                 "  -p, -y        repair: replay the journal, rebuild bitmaps and counts, fix\n"
                 "                links, entries, .., bad block pointers; reconnect lost\n"
                 "                inodes under /lost+found; then check the result\n"
                 "  -q, --quiet   print only problems\n"
                 "  -t sfs        the file-system type (the only one)\n"
                 "A mounted file system is refused.\n"
                 "Exit status: 0 clean, 1 corrected, 4 errors left, 8 cannot open or mount\n"
                 "(or mounted), 16 usage.\n");
}

static void report(void *ctx, const struct sfs_check_problem *p)
{
    unsigned long long a = p->a, b = p->b;
    printf("%s: ", ctx ? (const char *)ctx : "problem");
    if (p->ino)
        printf("inode %u: ", p->ino);
    printf("%s", sfs_check_describe(p->code));
    switch (p->code) {
    case SFS_CHK_FREE_BLOCKS:
    case SFS_CHK_FREE_INODES:
        printf(": superblock says %llu, bitmap says %llu", a, b);
        break;
    case SFS_CHK_NLINK:
        printf(": says %llu, found %llu", a, b);
        break;
    case SFS_CHK_BLOCK_COUNT:
    case SFS_CHK_DIR_COUNT:
        printf(": says %llu, found %llu", a, b);
        break;
    case SFS_CHK_META_FREE:
    case SFS_CHK_BAD_PTR:
    case SFS_CHK_DUP_BLOCK:
    case SFS_CHK_BLOCK_FREE:
    case SFS_CHK_BLOCK_LEAK:
        printf(": block %llu", a);
        break;
    case SFS_CHK_BAD_INODE:
        printf(": mode %#llo", a);
        break;
    case SFS_CHK_INODE_FREE:
        printf(" (in directory %llu, slot %llu)", a, b);
        break;
    case SFS_CHK_INODE_LEAK:
        printf(" (link count %llu)", a);
        break;
    case SFS_CHK_DOT:
        printf(": \".\" names inode %llu (slot %llu)", a, b);
        break;
    case SFS_CHK_DOTDOT:
        printf(": \"..\" names inode %llu, parent is %llu", a, b);
        break;
    case SFS_CHK_DIRENT:
    case SFS_CHK_INDEX:
        printf(": slot %llu (detail %llu)", a, b);
        break;
    case SFS_CHK_SIZE:
        printf(": logical block %llu mapped, size %llu", a, b);
        break;
    case SFS_CHK_DIR_LINKS:
        printf(": %llu names", a);
        break;
    case SFS_CHK_IO:
        printf(": block %llu", a);
        break;
    default:
        printf(" (a=%llu, b=%llu)", a, b);
        break;
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int quiet = 0, repair = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else if (!strcmp(argv[i], "-n")) {
            repair = 0;
        } else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "-y")) {
            repair = 1;
        } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
            if (strcmp(argv[++i], "sfs")) {
                fprintf(stderr, "fsck.sfs: %s: unsupported file-system type (only sfs)\n", argv[i]);
                return 8;
            }
        } else if (argv[i][0] == '-' || path) {
            usage(stderr);
            return 16;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        usage(stderr);
        return 16;
    }
    if (sfs_image_check_unmounted("fsck.sfs", path))
        return 8;
    struct sfs_image img;
    struct sfs fs;
    if (sfs_image_mount_flags(&img, &fs, "fsck.sfs", path, repair ? 0 : SFS_MOUNT_RDONLY))
        return 8;
    int replayed = repair && fs.was_dirty;
    struct sfs_repair_result res = { 0, 0 };
    if (repair) {
        int r = sfs_repair(&fs, NULL, 0, quiet ? NULL : report, "fixed", &res);
        if (r < 0) {
            fprintf(stderr, "fsck.sfs: %s: repair failed: %s\n", path, sfs_strerror(r));
            sfs_unmount(&fs);
            sfs_image_close(&img);
            return 8;
        }
    }
    long n = sfs_check(&fs, NULL, 0, report, NULL);
    struct sfs_statfs st;
    sfs_statfs(&fs, &st);
    sfs_unmount(&fs);
    sfs_image_close(&img);
    if (n < 0) {
        fprintf(stderr, "fsck.sfs: %s: %s\n", path, sfs_strerror((int)n));
        return 8;
    }
    if (repair && (!quiet || res.fixed || res.left))
        printf("%s: %u repair%s made, %u left uncorrected\n", path, res.fixed,
               res.fixed == 1 ? "" : "s", res.left);
    if (!quiet || n)
        printf("%s: %s, %llu/%llu blocks used, %llu/%llu inodes used, %ld problem%s\n", path,
               n ? "ERRORS" : "clean", (unsigned long long)(st.total_blocks - st.free_blocks),
               (unsigned long long)st.total_blocks,
               (unsigned long long)(st.total_inodes - st.free_inodes),
               (unsigned long long)st.total_inodes, n, n == 1 ? "" : "s");
    return n ? 4 : (replayed || res.fixed) ? 1 : 0;
}
