/*
 * mkfifo.c - make FIFO special files (POSIX mkfifo).
 *
 *   mkfifo [-m MODE] FILE...
 * Each FIFO gets mode 0666 less the umask, or with -m exactly MODE: octal,
 * or symbolic (chmod's form, user/lib/mode.h) taken from a=rw as POSIX says.
 * An invalid MODE is a usage error (status 2); a FIFO that cannot be made is
 * reported and the others still are (status 1).
 */
#include "mode.h"
#include "util.h"

#include <sys/stat.h>

int main(int argc, char **argv)
{
    util_init("mkfifo");
    const char *usage = "[-m MODE] FILE...";
    const char *mode_arg = NULL;
    int c;
    while ((c = util_getopt(argc, argv, "m:", usage)) != -1)
        mode_arg = optarg;
    if (optind == argc)
        util_usage(usage);
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = 0666;
    if (mode_arg && util_mode_apply(mode_arg, 0666, 0, mask, &mode) != 0) {
        util_msg("%s: invalid mode", mode_arg);
        util_usage(usage);
    }
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        if (mode_arg)
            umask(0); /* -m is the mode exactly */
        int r = mkfifo(argv[i], mode);
        umask(mask);
        if (r != 0)
            status = util_err(argv[i]);
    }
    return status;
}
