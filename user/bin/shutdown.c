/*
 * shutdown.c - take the system down (power.h): shutdown, poweroff, halt.
 *
 *   shutdown [-P|-h|-H|-r] [-f] [now]   power off unless told otherwise
 * Installed in /sbin also as "poweroff" (power off) and "halt" (halt),
 * which it tells by the name it is run under.
 */
#include "power.h"
#include "util.h"

#include <limits.h>
#include <string.h>

int main(int argc, char **argv)
{
    char name[NAME_MAX + 1];
    util_last_component(argc > 0 ? argv[0] : "shutdown", name, sizeof(name));
    if (strcmp(name, "poweroff") && strcmp(name, "halt"))
        strcpy(name, "shutdown");
    util_init(name);
    return power_main(argc, argv, !strcmp(name, "halt") ? POWER_HALT : POWER_OFF);
}
