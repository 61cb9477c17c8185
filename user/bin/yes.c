/*
 * yes.c - write a line again and again until the output goes away.
 *
 *   yes [STRING...]    the STRINGs joined by spaces, or "y", then a newline
 *
 * Lines are written in batches of up to 8 KiB. Ends with status 1 when a
 * write fails (EPIPE: killed by SIGPIPE first, as usual), and runs until a
 * signal ends it otherwise.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    util_init("yes");
    size_t len = 0;
    for (int i = 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    if (argc < 2)
        len = 2;
    char *line = malloc(len + 1);
    if (!line)
        return util_err(NULL);
    line[0] = '\0';
    for (int i = 1; i < argc; i++) {
        strcat(line, argv[i]);
        strcat(line, i + 1 < argc ? " " : "\n");
    }
    if (argc < 2)
        strcpy(line, "y\n");
    size_t cap = len > 8192 ? len : 8192;
    char *buf = malloc(cap);
    if (!buf)
        return util_err(NULL);
    size_t used = 0;
    do { /* at least one line, however long */
        memcpy(buf + used, line, len);
        used += len;
    } while (used + len <= cap);
    for (;;)
        if (util_write_all(1, buf, used) != 0)
            return util_err("standard output");
}
