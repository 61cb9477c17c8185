/*
 * pci_list.c - the PCI bus in the driver model, and the lspci-like listing
 * (dev/pci.h).
 *
 * Layer: above pci.c. Interface: pci_match_id, pci_bus_init,
 * pci_register_devices, pci_class_name, pci_describe, pci_print_list.
 * Locking: none (boot-time registration; listing only reads).
 */
#include <k/kprintf.h>
#include <dev/pci.h>

const struct pci_device_id *pci_match_id(const struct pci_device_id *table,
                                         const struct pci_device *d)
{
    uint32_t cls = (uint32_t)d->class_code << 16 | (uint32_t)d->subclass << 8 | d->prog_if;
    for (const struct pci_device_id *id = table; id && id->vendor; id++) {
        if (id->vendor != PCI_ANY_ID && id->vendor != d->vendor_id)
            continue;
        if (id->device != PCI_ANY_ID && id->device != d->device_id)
            continue;
        if ((cls & id->class_mask) != (id->class_val & id->class_mask))
            continue;
        return id;
    }
    return NULL;
}

/* A driver that matches gets the device's BARs sized before its probe. */
static const void *pci_bus_match(struct device *dev, struct driver *drv)
{
    struct pci_device *d = pci_from_device(dev);
    const struct pci_device_id *id = pci_match_id(drv->id_table, d);
    if (id)
        pci_size_bars(d);
    return id;
}

void pci_bus_init(struct bus_type *bus)
{
    bus_init(bus, "pci", pci_bus_match);
}

int pci_register_devices(struct bus_type *bus, struct pci_device *devs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int err = device_register(bus, &devs[i].dev);
        if (err)
            return err;
    }
    return 0;
}

static const struct {
    uint8_t cls, sub; /* sub 0xff: any subclass */
    const char *name;
} class_names[] = {
    { 0x00, 0xff, "unclassified" },
    { 0x01, 0x00, "mass storage/SCSI" },
    { 0x01, 0x01, "mass storage/IDE" },
    { 0x01, 0x06, "mass storage/SATA" },
    { 0x01, 0x08, "mass storage/NVMe" },
    { 0x01, 0xff, "mass storage" },
    { 0x02, 0x00, "network/Ethernet" },
    { 0x02, 0xff, "network" },
    { 0x03, 0x00, "display/VGA" },
    { 0x03, 0xff, "display" },
    { 0x04, 0xff, "multimedia" },
    { 0x05, 0xff, "memory" },
    { 0x06, 0x00, "bridge/host" },
    { 0x06, 0x01, "bridge/ISA" },
    { 0x06, 0x04, "bridge/PCI" },
    { 0x06, 0x80, "bridge/other" },
    { 0x06, 0xff, "bridge" },
    { 0x07, 0xff, "communication" },
    { 0x08, 0xff, "system peripheral" },
    { 0x0c, 0x03, "serial bus/USB" },
    { 0x0c, 0x05, "serial bus/SMBus" },
    { 0x0c, 0xff, "serial bus" },
    { 0xff, 0xff, "vendor-specific" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
    for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
        if (class_names[i].cls == class_code &&
            (class_names[i].sub == subclass || class_names[i].sub == 0xff))
            return class_names[i].name;
    return "other";
}

static const char *const bar_kind[] = { "none", "io", "mem32", "mem64" };

/* ksnprintf into the rest of the buffer, counting what the full text needs. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    size_t room = *len < size ? size - *len : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(room ? buf + *len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n;
}

static void format_size(char *out, size_t n, uint64_t size)
{
    if (size >= (1ull << 30) && !(size & ((1ull << 30) - 1)))
        ksnprintf(out, n, "%lluG", (unsigned long long)(size >> 30));
    else if (size >= (1u << 20) && !(size & ((1u << 20) - 1)))
        ksnprintf(out, n, "%lluM", (unsigned long long)(size >> 20));
    else if (size >= 1024 && !(size & 1023))
        ksnprintf(out, n, "%lluK", (unsigned long long)(size >> 10));
    else
        ksnprintf(out, n, "%llu", (unsigned long long)size);
}

size_t pci_describe(const struct pci_device *d, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    append(buf, size, &len, "%02x:%02x.%x %04x:%04x [%02x%02x] %s", d->bus, d->slot, d->func,
           d->vendor_id, d->device_id, d->class_code, d->subclass,
           pci_class_name(d->class_code, d->subclass));
    if (d->irq_pin)
        append(buf, size, &len, " irq %u pin %c", d->irq_line, 'A' + d->irq_pin - 1);
    if (d->header_type == PCI_HEADER_BRIDGE)
        append(buf, size, &len, " -> bus %02x", d->secondary_bus);
    append(buf, size, &len, "\n");
    for (int i = 0; i < PCI_MAX_BARS; i++) {
        const struct pci_bar *b = &d->bars[i];
        if (b->type == PCI_BAR_NONE)
            continue;
        char sz[16];
        format_size(sz, sizeof(sz), b->size);
        append(buf, size, &len, "  BAR%d %s%s %#llx [%s]\n", i, bar_kind[b->type],
               b->prefetchable ? " pf" : "", (unsigned long long)b->base, sz);
    }
    return len;
}

void pci_print_list(const struct pci_device *devs, size_t n)
{
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        const struct pci_device *d = &devs[i];
        pci_describe(d, buf, sizeof(buf));
        kprintf("%s  driver: %s\n", buf, d->dev.driver ? d->dev.driver->name : "-");
    }
}
