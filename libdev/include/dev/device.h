/**
 * @file dev/device.h
 * @brief The driver model: buses, devices and drivers, matched and bound.
 *
 * A bus (PCI, later others) owns two lists: the devices found on it and the
 * drivers registered for it. A driver carries an ID table whose format only its
 * bus understands; the bus's match() callback compares a device with the table
 * and returns the matching entry. Registering a device tries every driver;
 * registering a driver tries every unbound device. The first driver whose
 * probe() returns 0 is bound. bus_describe() lists devices and their drivers.
 *
 * Memory: every struct is owned by its caller (usually embedded in a bigger one,
 * e.g. `struct pci_device`) and must stay alive while registered. Nothing here
 * allocates.
 *
 * Locking: registration and probing run at boot, from one thread, never from
 * interrupt context; the lists are not locked.
 */
#ifndef DEV_DEVICE_H
#define DEV_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

struct device;
struct driver;

/** @brief A bus type: its devices, its drivers and how to match them. */
struct bus_type {
    const char *name; /**< "pci", ... */
    /**
     * @brief Does @p drv handle @p dev?
     * @param dev the device
     * @param drv the driver
     * @return the matching entry of drv->id_table, or NULL
     */
    const void *(*match)(struct device *dev, struct driver *drv);
    struct device *devices; /**< Registered devices (newest last). */
    struct driver *drivers; /**< Registered drivers (newest last). */
};

/** @brief A driver for devices on one bus. */
struct driver {
    const char *name;     /**< Shown in listings. */
    const void *id_table; /**< Bus-specific match table. */
    /**
     * @brief Take over a matched device.
     * @param dev the device
     * @param id  the id_table entry that matched
     * @return 0 to bind, or a negative error (the next driver is tried)
     */
    int (*probe)(struct device *dev, const void *id);
    /** @brief Let go of a bound device (optional). @param dev the device */
    void (*remove)(struct device *dev);
    struct bus_type *bus; /**< Set by driver_register(). */
    struct driver *next;  /**< Bus list link. */
};

/** @brief A device on a bus. */
struct device {
    char name[24];         /**< "0000:00:04.0", "vda", ... */
    struct bus_type *bus;  /**< Set by device_register(). */
    struct driver *driver; /**< The bound driver, or NULL. */
    void *driver_data;     /**< The bound driver's per-device state. */
    int probe_error;       /**< Last probe failure (0 if none). */
    struct device *next;   /**< Bus list link. */
};

/**
 * @brief Prepare a bus (empty lists).
 * @param bus   the bus (caller-owned)
 * @param name  its name
 * @param match its match callback
 */
void bus_init(struct bus_type *bus, const char *name,
              const void *(*match)(struct device *dev, struct driver *drv));

/**
 * @brief Add a device to a bus and try to bind a driver to it.
 * @param bus the bus
 * @param dev the device (name already set)
 * @return 0 (bound or not), or -EEXIST if already registered, -EINVAL for NULLs
 */
int device_register(struct bus_type *bus, struct device *dev);

/**
 * @brief Unbind (calling remove) and take a device off its bus.
 * @param dev the device
 * @return 0 or -ENOENT if it is not registered
 */
int device_unregister(struct device *dev);

/**
 * @brief Add a driver to a bus and bind it to every matching unbound device.
 * @param bus the bus
 * @param drv the driver
 * @return the number of devices bound (>= 0), or -EEXIST / -EINVAL
 */
int driver_register(struct bus_type *bus, struct driver *drv);

/**
 * @brief Unbind a driver from all its devices (calling remove) and take it off its bus.
 * @param drv the driver
 * @return 0 or -ENOENT if it is not registered
 */
int driver_unregister(struct driver *drv);

/**
 * @brief Find a device by name.
 * @param bus  the bus
 * @param name the name
 * @return the device or NULL
 */
struct device *bus_find_device(struct bus_type *bus, const char *name);

/**
 * @brief Write one line per device, "name driver" ("-" if unbound), into @p buf.
 * @param bus  the bus
 * @param buf  output, always NUL-terminated when @p size > 0
 * @param size its size
 * @return the length the full listing needs (like snprintf)
 */
size_t bus_describe(struct bus_type *bus, char *buf, size_t size);

#endif
