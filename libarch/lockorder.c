/*
 * lockorder.c - the lock-order checker of debug builds (arch/lockorder.h).
 *
 * Classes are found by name (a short linear search, then cached in the
 * lock). The graph is a bit matrix: after[a] has bit b when b was taken while
 * a was held. A new edge h -> c is checked by asking whether c already
 * reaches h; only new edges are checked, so the steady state costs a scan of
 * the few locks held.
 */
#include <arch/cpu.h>
#include <arch/lockorder.h>
#include <k/klog.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static const char *class_name[LOCKORDER_MAX_CLASSES];
static unsigned nclasses, overflows, reports;
static uint64_t after[LOCKORDER_MAX_CLASSES];    /* edges */
static uint64_t reported[LOCKORDER_MAX_CLASSES]; /* pairs already reported */

static struct {
    const void *lock;
    unsigned cls;
} held[LOCKORDER_MAX_HELD];
static unsigned nheld;
static bool busy; /* reporting: the log's own locks are not tracked */

/* Class index + 1 for @name, creating it; 0 if the table is full. */
static uint16_t class_of(const char *name)
{
    for (unsigned i = 0; i < nclasses; i++)
        if (class_name[i] == name || strcmp(class_name[i], name) == 0)
            return (uint16_t)(i + 1);
    if (nclasses == LOCKORDER_MAX_CLASSES) {
        overflows++;
        return 0;
    }
    class_name[nclasses] = name;
    return (uint16_t)++nclasses;
}

/* Does @from reach @to along the edges? */
static bool reaches(unsigned from, unsigned to)
{
    uint64_t seen = 1ull << from, frontier = seen;
    while (frontier) {
        uint64_t next = 0;
        for (unsigned i = 0; i < nclasses; i++)
            if (frontier & (1ull << i))
                next |= after[i];
        if (next & (1ull << to))
            return true;
        frontier = next & ~seen;
        seen |= next;
    }
    return false;
}

static void add_edge(unsigned h, unsigned c)
{
    if (h == c || (after[h] & (1ull << c)))
        return;
    if (reaches(c, h) && !(reported[h] & (1ull << c))) {
        reported[h] |= 1ull << c;
        reported[c] |= 1ull << h;
        reports++;
        klogf(KLOG_WARNING, "lock",
              "lock order inversion: \"%s\" taken while holding \"%s\", but \"%s\" was "
              "taken before while \"%s\" was held\n",
              class_name[c], class_name[h], class_name[h], class_name[c]);
    }
    after[h] |= 1ull << c;
}

void lockorder_acquire(const void *lock, const char *name, uint16_t *cls)
{
    if (!name || busy)
        return;
    uint64_t flags = cpu_irq_save();
    busy = true;
    if (*cls == 0 || *cls > nclasses || class_name[*cls - 1] != name)
        *cls = class_of(name);
    if (*cls) {
        unsigned c = *cls - 1u;
        for (unsigned i = 0; i < nheld; i++)
            add_edge(held[i].cls, c);
        if (nheld < LOCKORDER_MAX_HELD) {
            held[nheld].lock = lock;
            held[nheld++].cls = c;
        }
    }
    busy = false;
    cpu_irq_restore(flags);
}

void lockorder_release(const void *lock)
{
    uint64_t flags = cpu_irq_save();
    for (unsigned i = nheld; i-- > 0;) {
        if (held[i].lock == lock) {
            for (unsigned j = i; j + 1 < nheld; j++)
                held[j] = held[j + 1];
            nheld--;
            break;
        }
    }
    cpu_irq_restore(flags);
}

unsigned lockorder_reports(void)
{
    return reports;
}

unsigned lockorder_overflows(void)
{
    return overflows;
}

void lockorder_reset(void)
{
    memset(class_name, 0, sizeof(class_name));
    memset(after, 0, sizeof(after));
    memset(reported, 0, sizeof(reported));
    nclasses = overflows = reports = nheld = 0;
}
