/*
 * cat.c - concatenate files to standard output (POSIX cat).
 *
 *   cat [-u] [FILE...]     "-" or no operand is standard input; -u is accepted
 *                          (output is never buffered anyway)
 * A file that cannot be read is reported and skipped; the status is then 1.
 */
#include "util.h"

#include <unistd.h>

int main(int argc, char **argv)
{
    util_init("cat");
    int c;
    while ((c = util_getopt(argc, argv, "u", "[-u] [FILE...]")) != -1)
        ;
    struct util_out out = { STDOUT_FILENO, "write error" };
    return util_each_input_chunk(argc - optind, argv + optind, util_write_chunk, &out);
}
