/*
 * cmdline.c - kernel command-line options (k/cmdline.h).
 */
#include <k/cmdline.h>
#include <k/errno.h>
#include <string.h>

/*
 * Find option @key; on success set *val to what follows it ('=' or the end of
 * the word) and *vlen to the value's length, or -1 when there is no '='.
 */
static bool find(const char *s, const char *key, const char **val, int *vlen)
{
    size_t klen = strlen(key);
    if (klen == 0)
        return false;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        size_t wlen = (size_t)(s - w);
        if (wlen >= klen && memcmp(w, key, klen) == 0) {
            if (wlen == klen) {
                *val = w + klen;
                *vlen = -1;
                return true;
            }
            if (w[klen] == '=') {
                *val = w + klen + 1;
                *vlen = (int)(wlen - klen - 1);
                return true;
            }
        }
    }
    return false;
}

bool cmdline_has(const char *cmdline, const char *key)
{
    const char *v;
    int n;
    return find(cmdline, key, &v, &n);
}

int cmdline_get(const char *cmdline, const char *key, char *buf, size_t size)
{
    const char *v;
    int n;
    if (!find(cmdline, key, &v, &n) || n < 0)
        return -ENOENT;
    if ((size_t)n >= size)
        return -ERANGE;
    memcpy(buf, v, (size_t)n);
    buf[n] = '\0';
    return n;
}
