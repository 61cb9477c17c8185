/*
 * mode.c - parse and apply a chmod mode operand (mode.h).
 *
 * One pass over the text applies each clause to the mode as it stands, so a
 * copy (g=u) sees the clauses before it; nothing is allocated. Directories
 * keep their set-user-ID and set-group-ID bits unless the operand names them
 * (s, or an octal mode of five digits), as GNU chmod does: POSIX leaves it to
 * the implementation.
 */
#include "mode.h"

#include <string.h>
#include <sys/stat.h>

/* The bits of one class letter, set-ID or sticky bit included. */
static mode_t class_bits(char c)
{
    switch (c) {
    case 'u':
        return S_ISUID | S_IRWXU;
    case 'g':
        return S_ISGID | S_IRWXG;
    case 'o':
        return S_ISVTX | S_IRWXO;
    default: /* 'a' */
        return 07777;
    }
}

/* rwx of class @c in @mode, copied to every class. */
static mode_t copy_bits(char c, mode_t mode)
{
    int shift = c == 'u' ? 6 : c == 'g' ? 3 : 0;
    mode_t rwx = (mode >> shift) & 07;
    return rwx * 0111;
}

static int octal(const char *spec, mode_t *out)
{
    mode_t m = 0;
    for (const char *p = spec; *p; p++) {
        if (*p < '0' || *p > '7')
            return -1;
        m = m * 8 + (mode_t)(*p - '0');
        if (m > 07777)
            return -1;
    }
    *out = m;
    return 0;
}

int util_mode_apply(const char *spec, mode_t old, int isdir, mode_t umask, mode_t *out)
{
    if (!*spec)
        return -1;
    if (*spec >= '0' && *spec <= '9') {
        if (octal(spec, out) != 0)
            return -1;
        /* As GNU chmod: fewer than five digits set a directory's set-ID bits
         * but do not clear them. */
        if (isdir && strlen(spec) < 5)
            *out |= old & (S_ISUID | S_ISGID);
        return 0;
    }
    mode_t mode = old & 07777;
    const char *p = spec;
    for (;;) {
        mode_t who = 0;
        for (; *p == 'u' || *p == 'g' || *p == 'o' || *p == 'a'; p++)
            who |= class_bits(*p);
        int given = who != 0;
        if (!given)
            who = 07777;
        if (*p != '+' && *p != '-' && *p != '=')
            return -1; /* a clause needs at least one operator */
        while (*p == '+' || *p == '-' || *p == '=') {
            char op = *p++;
            mode_t val = 0;
            if (*p == 'u' || *p == 'g' || *p == 'o') {
                val = copy_bits(*p++, mode);
            } else {
                for (; *p && *p != ',' && *p != '+' && *p != '-' && *p != '='; p++) {
                    switch (*p) {
                    case 'r':
                        val |= 0444;
                        break;
                    case 'w':
                        val |= 0222;
                        break;
                    case 'x':
                        val |= 0111;
                        break;
                    case 'X':
                        if (isdir || (mode & 0111))
                            val |= 0111;
                        break;
                    case 's':
                        val |= S_ISUID | S_ISGID;
                        break;
                    case 't':
                        val |= S_ISVTX;
                        break;
                    default:
                        return -1;
                    }
                }
            }
            val &= who;
            /* As GNU chmod: a directory's set-ID bits change only when s says so. */
            mode_t keep = isdir ? (S_ISUID | S_ISGID) & ~val : 0;
            if (!given)
                val &= ~umask; /* POSIX: the umask's bits stay as they are */
            if (op == '+')
                mode |= val;
            else if (op == '-')
                mode &= ~val;
            else /* "=" without who clears every bit */
                mode = (mode & (~who | keep)) | val;
        }
        if (*p == '\0')
            break;
        if (*p != ',')
            return -1;
        p++;
    }
    *out = mode;
    return 0;
}
