/*
 * devmodel.c - buses, devices and drivers (dev/device.h).
 *
 * Layer: the driver model under every bus (PCI now). Interface: bus_init,
 * device_register/unregister, driver_register/unregister, bus_find_device,
 * bus_describe. Binding: the bus's match() picks an ID-table entry, the driver's
 * probe() accepts or declines. Locking: none; boot-time, single thread.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/device.h>
#include <string.h>

void bus_init(struct bus_type *bus, const char *name,
              const void *(*match)(struct device *dev, struct driver *drv))
{
    bus->name = name;
    bus->match = match;
    bus->devices = NULL;
    bus->drivers = NULL;
}

/* Try @drv on @dev; returns true if it bound. */
static bool try_bind(struct device *dev, struct driver *drv)
{
    if (dev->driver || !drv->probe)
        return false;
    const void *id = dev->bus->match ? dev->bus->match(dev, drv) : NULL;
    if (!id)
        return false;
    /* Set before probe so the driver can find its container from the device. */
    dev->driver = drv;
    int err = drv->probe(dev, id);
    if (err) {
        dev->driver = NULL;
        dev->driver_data = NULL;
        dev->probe_error = err;
        kprintf("%s: driver %s failed to probe %s (%d)\n", dev->bus->name, drv->name, dev->name,
                err);
        return false;
    }
    dev->probe_error = 0;
    return true;
}

static void unbind(struct device *dev)
{
    if (dev->driver && dev->driver->remove)
        dev->driver->remove(dev);
    dev->driver = NULL;
    dev->driver_data = NULL;
}

int device_register(struct bus_type *bus, struct device *dev)
{
    if (!bus || !dev)
        return -EINVAL;
    struct device **pp = &bus->devices;
    for (; *pp; pp = &(*pp)->next)
        if (*pp == dev)
            return -EEXIST;
    dev->bus = bus;
    dev->driver = NULL;
    dev->driver_data = NULL;
    dev->probe_error = 0;
    dev->next = NULL;
    *pp = dev;
    for (struct driver *drv = bus->drivers; drv && !dev->driver; drv = drv->next)
        try_bind(dev, drv);
    return 0;
}

int device_unregister(struct device *dev)
{
    if (!dev || !dev->bus)
        return -ENOENT;
    struct device **pp = &dev->bus->devices;
    while (*pp && *pp != dev)
        pp = &(*pp)->next;
    if (!*pp)
        return -ENOENT;
    unbind(dev);
    *pp = dev->next;
    dev->bus = NULL;
    dev->next = NULL;
    return 0;
}

int driver_register(struct bus_type *bus, struct driver *drv)
{
    if (!bus || !drv)
        return -EINVAL;
    struct driver **pp = &bus->drivers;
    for (; *pp; pp = &(*pp)->next)
        if (*pp == drv)
            return -EEXIST;
    drv->bus = bus;
    drv->next = NULL;
    *pp = drv;
    int bound = 0;
    for (struct device *dev = bus->devices; dev; dev = dev->next)
        if (try_bind(dev, drv))
            bound++;
    return bound;
}

int driver_unregister(struct driver *drv)
{
    if (!drv || !drv->bus)
        return -ENOENT;
    struct driver **pp = &drv->bus->drivers;
    while (*pp && *pp != drv)
        pp = &(*pp)->next;
    if (!*pp)
        return -ENOENT;
    for (struct device *dev = drv->bus->devices; dev; dev = dev->next)
        if (dev->driver == drv)
            unbind(dev);
    *pp = drv->next;
    drv->bus = NULL;
    drv->next = NULL;
    return 0;
}

struct device *bus_find_device(struct bus_type *bus, const char *name)
{
    for (struct device *dev = bus->devices; dev; dev = dev->next)
        if (strcmp(dev->name, name) == 0)
            return dev;
    return NULL;
}

size_t bus_describe(struct bus_type *bus, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (struct device *dev = bus->devices; dev; dev = dev->next) {
        size_t room = len < size ? size - len : 0;
        int n = ksnprintf(room ? buf + len : NULL, room, "%s %s\n", dev->name,
                          dev->driver ? dev->driver->name : "-");
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}
