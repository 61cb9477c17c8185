/*
 * lspci.c - list the PCI devices.
 *
 *   lspci          "00:01.1 IDE interface: Intel Corporation 82371SB PIIX3 IDE
 *                   [Natoma/Triton II] (rev 00)"
 *   lspci -n       "00:01.1 0101: 8086:7010 (rev 00)"
 *   lspci -nn      both: "00:01.1 IDE interface [0101]: Intel ... [8086:7010] (rev 00)"
 * The devices come from /proc/bus/pci/devices (Linux's format: a line per
 * function, "BBDF<TAB>VVVVDDDD<TAB>IRQ..." in hex). The class and revision
 * come from the function's configuration space, /proc/bus/pci/BB/DD.F,
 * where that file can be read; otherwise the class is the one this table
 * knows for the device, and the revision is left out. Names come from a
 * small table of the devices QEMU offers (the 440FX and Q35 chipsets, the
 * standard VGA, virtio, e1000), not from pci.ids; an unknown device shows
 * as "Vendor Device dddd".
 */
#include "system.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    unsigned id;
    const char *name;
} vendors[] = {
    { 0x8086, "Intel Corporation" },
    { 0x1af4, "Red Hat, Inc." },
    { 0x1b36, "Red Hat, Inc." },
    { 0x1234, "QEMU" },
    { 0x10ec, "Realtek Semiconductor Co., Ltd." },
};

static const struct {
    unsigned vendor, device, cls;
    const char *name;
} devices[] = {
    { 0x8086, 0x1237, 0x0600, "440FX - 82441FX PMC [Natoma]" },
    { 0x8086, 0x7000, 0x0601, "82371SB PIIX3 ISA [Natoma/Triton II]" },
    { 0x8086, 0x7010, 0x0101, "82371SB PIIX3 IDE [Natoma/Triton II]" },
    { 0x8086, 0x7020, 0x0c03, "82371SB PIIX3 USB [Natoma/Triton II]" },
    { 0x8086, 0x7113, 0x0680, "82371AB/EB/MB PIIX4 ACPI" },
    { 0x8086, 0x29c0, 0x0600, "82G33/G31/P35/P31 Express DRAM Controller" },
    { 0x8086, 0x2918, 0x0601, "82801IB (ICH9) LPC Interface Controller" },
    { 0x8086, 0x2922, 0x0106, "82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode]" },
    { 0x8086, 0x2930, 0x0c05, "82801I (ICH9 Family) SMBus Controller" },
    { 0x8086, 0x100e, 0x0200, "82540EM Gigabit Ethernet Controller" },
    { 0x8086, 0x10d3, 0x0200, "82574L Gigabit Network Connection" },
    { 0x1234, 0x1111, 0x0300, "Standard VGA" },
    { 0x1b36, 0x0008, 0x0600, "QEMU PCIe Host bridge" },
    { 0x1af4, 0x1000, 0x0200, "Virtio network device" },
    { 0x1af4, 0x1001, 0x0100, "Virtio block device" },
    { 0x1af4, 0x1002, 0x00ff, "Virtio memory balloon" },
    { 0x1af4, 0x1003, 0x0780, "Virtio console" },
    { 0x1af4, 0x1005, 0x00ff, "Virtio RNG" },
    { 0x1af4, 0x1041, 0x0200, "Virtio 1.0 network device" },
    { 0x1af4, 0x1042, 0x0100, "Virtio 1.0 block device" },
    { 0x1af4, 0x1044, 0x00ff, "Virtio 1.0 RNG" },
    { 0x1af4, 0x1045, 0x00ff, "Virtio 1.0 memory balloon" },
    { 0x1af4, 0x1053, 0x00ff, "Virtio 1.0 socket" },
    { 0x10ec, 0x8139, 0x0200, "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter" },
};

static const struct {
    unsigned cls;
    const char *name;
} classes[] = {
    { 0x0000, "Non-VGA unclassified device" },
    { 0x0100, "SCSI storage controller" },
    { 0x0101, "IDE interface" },
    { 0x0105, "ATA controller" },
    { 0x0106, "SATA controller" },
    { 0x0108, "Non-Volatile memory controller" },
    { 0x0180, "Mass storage controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0280, "Network controller" },
    { 0x0300, "VGA compatible controller" },
    { 0x0380, "Display controller" },
    { 0x0403, "Audio device" },
    { 0x0500, "RAM memory" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0680, "Bridge" },
    { 0x0700, "Serial controller" },
    { 0x0780, "Communication controller" },
    { 0x0880, "System peripheral" },
    { 0x0c03, "USB controller" },
    { 0x0c05, "SMBus" },
    { 0x00ff, "Unclassified device" },
    { 0xff00, "Unassigned class [ff00]" },
    { 0xffff, "Unassigned class [ffff]" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *vendor_name(unsigned vendor)
{
    for (size_t i = 0; i < COUNT(vendors); i++)
        if (vendors[i].id == vendor)
            return vendors[i].name;
    return NULL;
}

static int device_index(unsigned vendor, unsigned device)
{
    for (size_t i = 0; i < COUNT(devices); i++)
        if (devices[i].vendor == vendor && devices[i].device == device)
            return (int)i;
    return -1;
}

static const char *class_name(unsigned cls)
{
    for (size_t i = 0; i < COUNT(classes); i++)
        if (classes[i].cls == cls)
            return classes[i].name;
    return NULL;
}

/* Class (base << 8 | sub) and revision from the configuration space; -1 if unreadable. */
static int config_class(unsigned bus, unsigned devfn, unsigned *cls, unsigned *rev)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/bus/pci/%02x/%02x.%x", bus, devfn >> 3, devfn & 7);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    unsigned char cfg[12];
    ssize_t n = pread(fd, cfg, sizeof(cfg), 0);
    close(fd);
    if (n != (ssize_t)sizeof(cfg))
        return -1;
    *rev = cfg[8];
    *cls = (unsigned)cfg[11] << 8 | cfg[10];
    return 0;
}

int main(int argc, char **argv)
{
    const char *usage = "[-n]";
    util_init("lspci");
    int numeric = 0, c;
    while ((c = util_getopt(argc, argv, "n", usage)) != -1)
        numeric++;
    if (optind != argc)
        util_usage(usage);
    FILE *f = fopen("/proc/bus/pci/devices", "r");
    if (!f)
        return util_err("/proc/bus/pci/devices");
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        unsigned bdf, id;
        if (sscanf(line, "%x %x", &bdf, &id) != 2)
            continue;
        unsigned bus = bdf >> 8, devfn = bdf & 0xff, vendor = id >> 16, device = id & 0xffff;
        unsigned cls = 0, rev = 0;
        int di = device_index(vendor, device);
        int have_rev = config_class(bus, devfn, &cls, &rev) == 0;
        int have_class = have_rev || di >= 0;
        if (!have_rev && di >= 0)
            cls = devices[di].cls;
        printf("%02x:%02x.%x ", bus, devfn >> 3, devfn & 7);
        char cls_num[8];
        snprintf(cls_num, sizeof(cls_num), have_class ? "%04x" : "????", cls);
        if (numeric == 1) {
            printf("%s: %04x:%04x", cls_num, vendor, device);
        } else {
            const char *cn = have_class ? class_name(cls) : "Unknown class";
            if (cn)
                printf("%s", cn);
            else
                printf("Class %s", cls_num);
            if (numeric)
                printf(" [%s]", cls_num);
            const char *vn = vendor_name(vendor);
            if (vn)
                printf(": %s ", vn);
            else
                printf(": Device %04x:", vendor);
            if (di >= 0)
                printf("%s", devices[di].name);
            else
                printf("Device %04x", device);
            if (numeric)
                printf(" [%04x:%04x]", vendor, device);
        }
        if (have_rev && rev)
            printf(" (rev %02x)", rev);
        putchar('\n');
    }
    fclose(f);
    return util_finish(UTIL_OK);
}
