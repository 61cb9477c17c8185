/*
 * stat.c - show file status, in GNU stat's layout.
 *
 *   stat [-L] [-c FORMAT] FILE...
 * Without -c, GNU's default block (name, size, blocks, I/O block, type,
 * device, inode, links, mode, owner, group, the three times; "Birth: -",
 * since stat() does not report it). Links are described, not followed,
 * unless -L. -c prints FORMAT per file with these directives (GNU's
 * meaning): %n name, %N quoted name with "-> 'target'", %s size, %b blocks, %B 512,
 * %a octal mode, %A mode string, %F type, %h links, %i inode, %d device,
 * %u %U uid and its name, %g %G gid and its name, %X %Y %Z access,
 * modification and change time in seconds, %x %y %z the same as dates, %%.
 */
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

static const char *type_name(const struct stat *st)
{
    switch (st->st_mode & S_IFMT) {
    case S_IFREG:
        return st->st_size ? "regular file" : "regular empty file";
    case S_IFDIR:
        return "directory";
    case S_IFLNK:
        return "symbolic link";
    case S_IFIFO:
        return "fifo";
    case S_IFCHR:
        return "character special file";
    case S_IFBLK:
        return "block special file";
    case S_IFSOCK:
        return "socket";
    }
    return "weird file";
}

static void print_time(const struct timespec *ts)
{
    char buf[64];
    time_t t = ts->tv_sec;
    struct tm *tm = localtime(&t);
    if (!tm) {
        printf("%lld", (long long)t);
        return;
    }
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", tm);
    printf("%s.%09ld", buf, ts->tv_nsec);
    strftime(buf, sizeof(buf), " %z", tm);
    fputs(buf, stdout);
}

/* A name in single quotes, as GNU's %N shows it ('it'\''s' for a quote). */
static void put_quoted(const char *s, size_t n)
{
    putchar('\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            fputs("'\\''", stdout);
        else
            putchar(s[i]);
    }
    putchar('\'');
}

/* The name, and " -> target" for a link; quoted for %N. */
static void print_name(const char *path, const struct stat *st, int quote)
{
    if (quote)
        put_quoted(path, strlen(path));
    else
        fputs(path, stdout);
    if (S_ISLNK(st->st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            return;
        fputs(" -> ", stdout);
        if (quote)
            put_quoted(target, (size_t)n);
        else
            printf("%.*s", (int)n, target);
    }
}

static void print_default(const char *path, const struct stat *st)
{
    char mode[11], user[24], group[24];
    util_mode_string(st->st_mode, mode);
    util_id_name(st->st_uid, user);
    util_id_name(st->st_gid, group);
    fputs("  File: ", stdout);
    print_name(path, st, 0);
    printf("\n  Size: %-10lld\tBlocks: %-10lld IO Block: %-6ld %s\n", (long long)st->st_size,
           (long long)st->st_blocks, (long)st->st_blksize, type_name(st));
    printf("Device: %u,%u\tInode: %-11llu Links: ", major(st->st_dev), minor(st->st_dev),
           (unsigned long long)st->st_ino);
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        printf("%-5lu Device type: %u,%u", (unsigned long)st->st_nlink, major(st->st_rdev),
               minor(st->st_rdev));
    else
        printf("%lu", (unsigned long)st->st_nlink);
    printf("\nAccess: (%04o/%s)  Uid: (%5u/%8s)   Gid: (%5u/%8s)\n", st->st_mode & 07777, mode,
           st->st_uid, user, st->st_gid, group);
    fputs("Access: ", stdout);
    print_time(&st->st_atim);
    fputs("\nModify: ", stdout);
    print_time(&st->st_mtim);
    fputs("\nChange: ", stdout);
    print_time(&st->st_ctim);
    fputs("\n Birth: -\n", stdout);
}

static int print_format(const char *fmt, const char *path, const struct stat *st)
{
    char buf[24];
    for (const char *p = fmt; *p; p++) {
        if (*p == '\\' && p[1] == 'n') {
            putchar('\n');
            p++;
            continue;
        }
        if (*p != '%' || p[1] == '\0') {
            putchar(*p);
            continue;
        }
        switch (*++p) {
        case 'n':
            fputs(path, stdout);
            break;
        case 'N':
            print_name(path, st, 1);
            break;
        case 's':
            printf("%lld", (long long)st->st_size);
            break;
        case 'b':
            printf("%lld", (long long)st->st_blocks);
            break;
        case 'B':
            fputs("512", stdout);
            break;
        case 'a':
            printf("%o", st->st_mode & 07777);
            break;
        case 'A':
            util_mode_string(st->st_mode, buf);
            fputs(buf, stdout);
            break;
        case 'F':
            fputs(type_name(st), stdout);
            break;
        case 'h':
            printf("%lu", (unsigned long)st->st_nlink);
            break;
        case 'i':
            printf("%llu", (unsigned long long)st->st_ino);
            break;
        case 'd':
            printf("%llu", (unsigned long long)st->st_dev);
            break;
        case 'u':
            printf("%u", st->st_uid);
            break;
        case 'U':
            util_id_name(st->st_uid, buf);
            fputs(buf, stdout);
            break;
        case 'g':
            printf("%u", st->st_gid);
            break;
        case 'G':
            util_id_name(st->st_gid, buf);
            fputs(buf, stdout);
            break;
        case 'X':
            printf("%lld", (long long)st->st_atim.tv_sec);
            break;
        case 'Y':
            printf("%lld", (long long)st->st_mtim.tv_sec);
            break;
        case 'Z':
            printf("%lld", (long long)st->st_ctim.tv_sec);
            break;
        case 'x':
            print_time(&st->st_atim);
            break;
        case 'y':
            print_time(&st->st_mtim);
            break;
        case 'z':
            print_time(&st->st_ctim);
            break;
        case '%':
            putchar('%');
            break;
        default:
            return util_msg("%%%c: unknown format directive", *p);
        }
    }
    putchar('\n');
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("stat");
    const char *usage = "[-L] [-c FORMAT] FILE...";
    const char *format = NULL;
    int follow = 0, c;
    while ((c = util_getopt(argc, argv, "Lc:", usage)) != -1) {
        if (c == 'L')
            follow = 1;
        else
            format = optarg;
    }
    if (optind == argc)
        util_usage(usage);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if ((follow ? stat(argv[i], &st) : lstat(argv[i], &st)) != 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (!format)
            print_default(argv[i], &st);
        else if (print_format(format, argv[i], &st) != UTIL_OK)
            return UTIL_USAGE;
    }
    return util_finish(status);
}
