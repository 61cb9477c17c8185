/*
 * reboot.c - restart the system (power.h).
 *
 *   reboot [-f]     asks init with SIGTERM; -f: sync(2) and reboot(2) at once
 */
#include "power.h"
#include "util.h"

int main(int argc, char **argv)
{
    util_init("reboot");
    return power_main(argc, argv, POWER_REBOOT);
}
