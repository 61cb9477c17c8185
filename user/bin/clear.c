/*
 * clear.c - clear the terminal.
 *
 *   clear     writes ESC[H ESC[2J ESC[3J: cursor home, erase the screen,
 *             erase the scroll-back (what ncurses' clear writes for xterm and
 *             the Linux console, and what Kestrel's terminal understands)
 */
#include "util.h"

int main(int argc, char **argv)
{
    static const char seq[] = "\033[H\033[2J\033[3J";
    util_init("clear");
    while (util_getopt(argc, argv, "", "") != -1)
        ;
    if (optind != argc)
        util_usage("");
    if (util_write_all(STDOUT_FILENO, seq, sizeof(seq) - 1) != 0)
        return util_err("write error");
    return UTIL_OK;
}
