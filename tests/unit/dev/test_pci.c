/*
 * test_pci.c - PCI configuration access, enumeration, BARs, capabilities and the
 * driver model, against a simulated configuration space.
 */
#include "cpu_mock.h"
#include "pci_mock.h"
#include <k/errno.h>
#include <check.h>
#include <dev/device.h>
#include <dev/pci.h>
#include <string.h>

Suite *pci_suite(void);

static struct pci_mock pm;
static struct pci_device devs[16];

static void setup(void)
{
    cpu_mock_reset();
    pci_mock_init(&pm);
    pci_mock_install(&pm, NULL, NULL);
}

/* A small machine: host bridge, a multi-function device, a single-function
 * device that answers on every function number, two levels of bridges. */
static void build_topology(void)
{
    pci_mock_add(&pm, 0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, 0);
    pci_mock_add(&pm, 0, 1, 0, 0x8086, 0x7000, 0x06, 0x01, 0x80); /* multi-function */
    pci_mock_add(&pm, 0, 1, 1, 0x8086, 0x7010, 0x01, 0x01, 0);
    pci_mock_add(&pm, 0, 1, 3, 0x8086, 0x7113, 0x06, 0x80, 0); /* function 2 absent */
    pci_mock_add(&pm, 0, 3, 0, 0x1234, 0x1111, 0x03, 0x00, 0);
    pci_mock_add(&pm, 0, 3, 1, 0x1234, 0x1111, 0x03, 0x00, 0); /* ghost: header not multi-fn */
    struct pci_mock_fn *br = pci_mock_add(&pm, 0, 4, 0, 0x1b36, 0x0001, 0x06, 0x04, 1);
    pci_mock_set_bridge(br, 1, 2);
    pci_mock_add(&pm, 1, 0, 0, 0x1af4, 0x1042, 0x01, 0x00, 0);
    struct pci_mock_fn *br2 = pci_mock_add(&pm, 1, 2, 0, 0x1b36, 0x0001, 0x06, 0x04, 1);
    pci_mock_set_bridge(br2, 2, 2);
    pci_mock_add(&pm, 2, 5, 0, 0x1af4, 0x1001, 0x01, 0x00, 0);
    pci_mock_add(&pm, 7, 0, 0, 0xabcd, 0x0007, 0x02, 0x00, 0); /* unreachable by bridges */
}

static int find(int n, uint8_t bus, uint8_t slot, uint8_t func)
{
    for (int i = 0; i < n; i++)
        if (devs[i].bus == bus && devs[i].slot == slot && devs[i].func == func)
            return i;
    return -1;
}

START_TEST(test_config_address_and_widths)
{
    struct pci_mock_fn *f = pci_mock_add(&pm, 3, 17, 5, 0x1af4, 0x1042, 0x01, 0x00, 0);
    f->cfg[0x40] = 0x11;
    f->cfg[0x41] = 0x22;
    f->cfg[0x42] = 0x33;
    f->cfg[0x43] = 0x44;
    ck_assert_uint_eq(pci_config_read32(3, 17, 5, 0x40), 0x44332211u);
    const struct port_access *a = cpu_mock_log(cpu_mock_log_len() - 2);
    ck_assert(a->write && a->port == 0xcf8);
    ck_assert_uint_eq(a->val, 0x80000000u | 3u << 16 | 17u << 11 | 5u << 8 | 0x40);
    ck_assert_uint_eq(pci_config_read16(3, 17, 5, 0x42), 0x4433);
    ck_assert_uint_eq(pci_config_read8(3, 17, 5, 0x43), 0x44);
    ck_assert_uint_eq(pci_config_read8(3, 17, 5, 0x41), 0x22);
    ck_assert_uint_eq(pci_config_read16(3, 17, 5, PCI_VENDOR_ID), 0x1af4);
    ck_assert_uint_eq(pci_config_read16(3, 17, 5, PCI_DEVICE_ID), 0x1042);
    /* Writes honour the device's writable bits. */
    pci_config_write8(3, 17, 5, PCI_INTERRUPT_LINE, 9);
    ck_assert_uint_eq(f->cfg[0x3c], 9);
    pci_config_write16(3, 17, 5, PCI_VENDOR_ID, 0);
    ck_assert_uint_eq(pci_config_read16(3, 17, 5, PCI_VENDOR_ID), 0x1af4);
    pci_config_write32(3, 17, 5, PCI_COMMAND, 0xffffffff);
    ck_assert_uint_eq(pci_config_read16(3, 17, 5, PCI_COMMAND), 0x07ff);
    /* Nothing there: all ones. */
    ck_assert_uint_eq(pci_config_read16(3, 16, 0, PCI_VENDOR_ID), 0xffff);
    struct pci_device d;
    ck_assert_int_eq(pci_probe_function(&d, 3, 16, 0), -ENODEV);
}
END_TEST

START_TEST(test_enumerate_follows_bridges_and_functions)
{
    build_topology();
    int n = pci_enumerate(devs, 16, 0);
    ck_assert_int_eq(n, 9);
    ck_assert_int_ge(find(n, 0, 1, 1), 0);
    ck_assert_int_ge(find(n, 0, 1, 3), 0);
    ck_assert_int_lt(find(n, 0, 1, 2), 0);
    ck_assert_int_lt(find(n, 0, 3, 1), 0); /* not multi-function: fn 1 is a ghost */
    int i = find(n, 1, 0, 0);
    ck_assert_int_ge(i, 0);
    ck_assert_uint_eq(devs[i].vendor_id, 0x1af4);
    ck_assert_uint_eq(devs[i].device_id, 0x1042);
    ck_assert_str_eq(devs[i].dev.name, "0000:01:00.0");
    ck_assert_int_ge(find(n, 2, 5, 0), 0);
    ck_assert_int_lt(find(n, 7, 0, 0), 0);
    i = find(n, 0, 4, 0);
    ck_assert_uint_eq(devs[i].header_type, PCI_HEADER_BRIDGE);
    ck_assert_uint_eq(devs[i].secondary_bus, 1);
    ck_assert(devs[find(n, 0, 1, 0)].multifunction);

    /* Brute force finds the orphan too. */
    n = pci_enumerate(devs, 16, PCI_SCAN_ALL_BUSES);
    ck_assert_int_eq(n, 10);
    ck_assert_int_ge(find(n, 7, 0, 0), 0);

    /* Too small an array: the total is still reported. */
    ck_assert_int_eq(pci_enumerate(devs, 2, 0), 9);
    ck_assert_int_eq(pci_enumerate(NULL, 0, 0), 9);
    ck_assert_int_eq(pci_enumerate(NULL, 3, 0), -EINVAL);
}
END_TEST

START_TEST(test_enumerate_bridge_loops_terminate)
{
    pci_mock_add(&pm, 0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, 0);
    struct pci_mock_fn *b = pci_mock_add(&pm, 0, 1, 0, 0x1b36, 1, 0x06, 0x04, 1);
    pci_mock_set_bridge(b, 1, 1);
    struct pci_mock_fn *back = pci_mock_add(&pm, 1, 0, 0, 0x1b36, 1, 0x06, 0x04, 1);
    pci_mock_set_bridge(back, 1, 1); /* points at its own bus */
    struct pci_mock_fn *zero = pci_mock_add(&pm, 1, 1, 0, 0x1b36, 1, 0x06, 0x04, 1);
    pci_mock_set_bridge(zero, 0, 0); /* unconfigured */
    ck_assert_int_eq(pci_enumerate(devs, 16, 0), 4);
}
END_TEST

START_TEST(test_enumerate_multiple_host_bridges)
{
    pci_mock_add(&pm, 0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, 0x80);
    pci_mock_add(&pm, 0, 0, 1, 0x8086, 0x1237, 0x06, 0x00, 0);
    pci_mock_add(&pm, 1, 3, 0, 0x1af4, 0x1042, 0x01, 0x00, 0);
    int n = pci_enumerate(devs, 16, 0);
    ck_assert_int_eq(n, 3);
    ck_assert_int_ge(find(n, 1, 3, 0), 0);
}
END_TEST

START_TEST(test_bar_sizing)
{
    struct pci_mock_fn *f = pci_mock_add(&pm, 0, 2, 0, 0x1af4, 0x1001, 0x01, 0, 0);
    pci_mock_set_bar(f, 0, PCI_MOCK_IO, false, 0xc040, 0x40);
    pci_mock_set_bar(f, 1, PCI_MOCK_MEM32, false, 0xfebf1000, 0x1000);
    pci_mock_set_bar(f, 2, PCI_MOCK_MEM64, true, 0x800000000ull, 0x200000000ull);
    /* BAR 4 unimplemented; BAR 5 claims 64-bit but has no upper half. */
    pci_mock_set_bar(f, 5, PCI_MOCK_MEM64, false, 0xfe000000, 0x4000);
    f->cfg[0x04] = PCI_CMD_MEMORY | PCI_CMD_IO;
    struct pci_device d;
    pm.cmd_writes = pm.sized_while_decoding = 0;
    ck_assert_int_eq(pci_probe_function(&d, 0, 2, 0), 0);
    /* Decoding went off once for all the BARs (each change remaps the device
     * under QEMU), and no BAR was sized while the device decoded. */
    ck_assert_uint_eq(pm.cmd_writes, 2);
    ck_assert_uint_eq(pm.sized_while_decoding, 0);
    ck_assert_int_eq(d.bars[0].type, PCI_BAR_IO);
    ck_assert_uint_eq(d.bars[0].base, 0xc040);
    ck_assert_uint_eq(d.bars[0].size, 0x40);
    ck_assert_int_eq(d.bars[1].type, PCI_BAR_MEM32);
    ck_assert_uint_eq(d.bars[1].base, 0xfebf1000);
    ck_assert_uint_eq(d.bars[1].size, 0x1000);
    ck_assert(!d.bars[1].prefetchable);
    ck_assert_int_eq(d.bars[2].type, PCI_BAR_MEM64);
    ck_assert_uint_eq(d.bars[2].base, 0x800000000ull);
    ck_assert_uint_eq(d.bars[2].size, 0x200000000ull);
    ck_assert(d.bars[2].prefetchable);
    ck_assert_int_eq(d.bars[3].type, PCI_BAR_NONE); /* upper half of BAR 2 */
    ck_assert_int_eq(d.bars[4].type, PCI_BAR_NONE);
    ck_assert_int_eq(d.bars[5].type, PCI_BAR_NONE);
    /* Sizing restored the BARs and the command register. */
    ck_assert_uint_eq(pci_read32(&d, PCI_BAR0), 0xc041);
    ck_assert_uint_eq(pci_read32(&d, PCI_BAR0 + 12), 0x8);
    ck_assert_uint_eq(pci_read16(&d, PCI_COMMAND), PCI_CMD_MEMORY | PCI_CMD_IO);
    struct pci_bar b;
    ck_assert_int_eq(pci_bar_decode(&d, 2, &b), 2);
    ck_assert_uint_eq(b.size, 0x200000000ull);
    ck_assert_int_eq(pci_bar_decode(&d, 1, &b), 1);
    ck_assert_uint_eq(pm.sized_while_decoding, 0);
    ck_assert_uint_eq(pci_read16(&d, PCI_COMMAND), PCI_CMD_MEMORY | PCI_CMD_IO);
    /* A device that does not decode keeps its command register untouched. */
    pci_write16(&d, PCI_COMMAND, 0);
    pm.cmd_writes = 0;
    ck_assert_int_eq(pci_bar_decode(&d, 1, &b), 1);
    ck_assert_uint_eq(b.size, 0x1000);
    ck_assert_uint_eq(pm.cmd_writes, 0);
    pci_write16(&d, PCI_COMMAND, PCI_CMD_MEMORY | PCI_CMD_IO);
    ck_assert_int_eq(pci_bar_decode(&d, 6, &b), -EINVAL);
    ck_assert_int_eq(pci_bar_decode(&d, -1, &b), -EINVAL);

    /* A bridge has two BARs and a secondary bus. */
    struct pci_mock_fn *br = pci_mock_add(&pm, 0, 5, 0, 0x1b36, 1, 0x06, 0x04, 1);
    pci_mock_set_bar(br, 0, PCI_MOCK_MEM32, false, 0xfea00000, 0x100);
    pci_mock_set_bar(br, 2, PCI_MOCK_MEM32, false, 0x12345678, 0x100); /* bus numbers, not a BAR */
    pci_mock_set_bridge(br, 4, 4);
    ck_assert_int_eq(pci_probe_function(&d, 0, 5, 0), 0);
    ck_assert_int_eq(d.bars[0].type, PCI_BAR_MEM32);
    ck_assert_int_eq(d.bars[2].type, PCI_BAR_NONE);
    ck_assert_uint_eq(d.secondary_bus, 4);
}
END_TEST

START_TEST(test_capabilities)
{
    struct pci_mock_fn *f = pci_mock_add(&pm, 0, 2, 0, 0x1af4, 0x1042, 0x01, 0, 0);
    struct pci_device d;
    ck_assert_int_eq(pci_probe_function(&d, 0, 2, 0), 0);
    ck_assert_uint_eq(pci_cap_next(&d, 0), 0); /* no list yet */
    uint8_t body[6] = { 1, 2, 3, 4, 5, 6 };
    uint8_t a = pci_mock_add_cap(f, 0x11, body, 2);
    uint8_t b = pci_mock_add_cap(f, PCI_CAP_ID_VENDOR, body, 6);
    uint8_t c = pci_mock_add_cap(f, 0x05, body, 2);
    uint8_t e = pci_mock_add_cap(f, PCI_CAP_ID_VENDOR, body, 6);
    ck_assert_uint_eq(pci_cap_next(&d, 0), a);
    ck_assert_uint_eq(pci_cap_next(&d, a), b);
    ck_assert_uint_eq(pci_cap_find(&d, 0x05, 0), c);
    ck_assert_uint_eq(pci_cap_find(&d, PCI_CAP_ID_VENDOR, 0), b);
    ck_assert_uint_eq(pci_cap_find(&d, PCI_CAP_ID_VENDOR, b), e);
    ck_assert_uint_eq(pci_cap_find(&d, PCI_CAP_ID_VENDOR, e), 0);
    ck_assert_uint_eq(pci_cap_find(&d, 0x10, 0), 0);

    /* A loop: the last capability points back at the second. */
    f->cfg[e + 1] = b;
    ck_assert_uint_eq(pci_cap_find(&d, 0x10, 0), 0);
    /* A self-loop, and a pointer into the header, both end the walk. */
    f->cfg[a + 1] = a;
    ck_assert_uint_eq(pci_cap_find(&d, 0x05, 0), 0);
    f->cfg[a + 1] = 0x10;
    ck_assert_uint_eq(pci_cap_next(&d, a), 0);
    /* The low two bits of a pointer are reserved. */
    f->cfg[0x34] = (uint8_t)(c | 3);
    ck_assert_uint_eq(pci_cap_next(&d, 0), c);
}
END_TEST

START_TEST(test_enable_and_listing)
{
    struct pci_mock_fn *f = pci_mock_add(&pm, 0, 4, 0, 0x1af4, 0x1001, 0x01, 0x00, 0);
    pci_mock_set_bar(f, 0, PCI_MOCK_IO, false, 0xc000, 0x40);
    pci_mock_set_bar(f, 4, PCI_MOCK_MEM64, true, 0xfe000000, 0x4000);
    pci_mock_set_irq(f, 11, 1);
    f->cfg[0x05] = PCI_CMD_INTX_DISABLE >> 8;
    struct pci_device d;
    ck_assert_int_eq(pci_probe_function(&d, 0, 4, 0), 0);
    pci_enable(&d, PCI_CMD_IO | PCI_CMD_BUS_MASTER);
    ck_assert_uint_eq(pci_read16(&d, PCI_COMMAND), PCI_CMD_IO | PCI_CMD_BUS_MASTER);
    ck_assert_uint_eq(d.irq_line, 11);
    pci_write8(&d, PCI_INTERRUPT_LINE, 10);
    ck_assert_uint_eq(pci_read8(&d, PCI_INTERRUPT_LINE), 10);
    ck_assert_uint_eq(d.irq_pin, 1);
    char buf[512];
    size_t len = pci_describe(&d, buf, sizeof(buf));
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_ptr_nonnull(strstr(buf, "00:04.0 1af4:1001 [0100] mass storage/SCSI irq 11 pin A\n"));
    ck_assert_ptr_nonnull(strstr(buf, "  BAR0 io 0xc000 [64]\n"));
    ck_assert_ptr_nonnull(strstr(buf, "  BAR4 mem64 pf 0xfe000000 [16K]\n"));
    char small[8];
    ck_assert_uint_eq(pci_describe(&d, small, sizeof(small)), len);
    ck_assert_str_eq(small, "00:04.0");
    ck_assert_uint_eq(pci_describe(&d, NULL, 0), len);
    pci_print_list(&d, 1);

    ck_assert_str_eq(pci_class_name(0x06, 0x04), "bridge/PCI");
    ck_assert_str_eq(pci_class_name(0x06, 0x33), "bridge");
    ck_assert_str_eq(pci_class_name(0x42, 0x00), "other");
    struct pci_mock_fn *br = pci_mock_add(&pm, 0, 6, 0, 0x1b36, 1, 0x06, 0x04, 1);
    pci_mock_set_bar(br, 0, PCI_MOCK_MEM32, false, 0xfea00000, 0x100000);
    pci_mock_set_bridge(br, 3, 3);
    ck_assert_int_eq(pci_probe_function(&d, 0, 6, 0), 0);
    pci_describe(&d, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "-> bus 03\n  BAR0 mem32 0xfea00000 [1M]\n"));
    struct pci_bar big = { 0, 2ull << 30, PCI_BAR_MEM64, false };
    d.bars[0] = big;
    pci_describe(&d, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "[2G]"));
}
END_TEST

/* ---- the driver model over the PCI bus ---- */

static int probes, removes;
static int probe_result;
static const struct pci_device_id *last_id;

static int fake_probe(struct device *dev, const void *id)
{
    probes++;
    last_id = id;
    if (probe_result == 0)
        dev->driver_data = dev;
    return probe_result;
}

static void fake_remove(struct device *dev)
{
    ck_assert_ptr_eq(dev->driver_data, dev);
    removes++;
}

static const struct pci_device_id storage_ids[] = {
    { 0x1af4, 0x1042, 0, 0, 42 },
    { PCI_ANY_ID, PCI_ANY_ID, 0xffff00, 0x010800, 7 }, /* any NVMe */
    { 0, 0, 0, 0, 0 },
};

/* Boot enumerates with PCI_SCAN_LAZY_BARS: no decode change at all until a
 * driver matches a function (its BARs are sized before its probe) or the
 * rest are asked for (pci_size_bars()), once per function. */
static const struct pci_device_id lazy_ids[] = { { 0x1af4, 0x1001, 0, 0, 7 }, { 0 } };
static int lazy_probe_saw_bars;

static int lazy_probe(struct device *dev, const void *id)
{
    (void)id;
    struct pci_device *d = pci_from_device(dev);
    lazy_probe_saw_bars = d->bars_sized && d->bars[1].size == 0x1000;
    return 0;
}

START_TEST(test_lazy_bar_sizing)
{
    struct pci_mock_fn *f = pci_mock_add(&pm, 0, 2, 0, 0x1af4, 0x1001, 0x01, 0, 0);
    pci_mock_set_bar(f, 1, PCI_MOCK_MEM32, false, 0xfebf1000, 0x1000);
    f->cfg[0x04] = PCI_CMD_MEMORY | PCI_CMD_IO;
    struct pci_mock_fn *g = pci_mock_add(&pm, 0, 3, 0, 0x1234, 0x1111, 0x03, 0x00, 0);
    pci_mock_set_bar(g, 0, PCI_MOCK_MEM32, true, 0xfd000000, 0x1000000);
    g->cfg[0x04] = PCI_CMD_MEMORY;
    pm.cmd_writes = pm.sized_while_decoding = 0;
    int n = pci_enumerate(devs, 16, PCI_SCAN_LAZY_BARS);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(pm.cmd_writes, 0);
    ck_assert(!devs[0].bars_sized && !devs[1].bars_sized);
    ck_assert_int_eq(devs[0].bars[1].type, PCI_BAR_NONE);

    struct bus_type bus;
    pci_bus_init(&bus);
    ck_assert_int_eq(pci_register_devices(&bus, devs, (size_t)n), 0);
    struct driver drv = { .name = "lazy", .id_table = lazy_ids, .probe = lazy_probe };
    lazy_probe_saw_bars = 0;
    ck_assert_int_eq(driver_register(&bus, &drv), 1);
    ck_assert_int_eq(lazy_probe_saw_bars, 1);
    ck_assert_uint_eq(pm.cmd_writes, 2); /* the bound function only: off, back on */
    ck_assert(!devs[1].bars_sized);

    pci_size_bars(&devs[0]); /* already sized: nothing to do */
    pci_size_bars(&devs[1]);
    ck_assert_uint_eq(pm.cmd_writes, 4);
    ck_assert_uint_eq(pm.sized_while_decoding, 0);
    ck_assert(devs[1].bars_sized);
    ck_assert_int_eq(devs[1].bars[0].type, PCI_BAR_MEM32);
    ck_assert_uint_eq(devs[1].bars[0].size, 0x1000000);
    ck_assert(devs[1].bars[0].prefetchable);
    ck_assert_uint_eq(pci_read16(&devs[1], PCI_COMMAND), PCI_CMD_MEMORY);
    ck_assert_int_eq(driver_unregister(&drv), 0);
}
END_TEST

START_TEST(test_driver_model_binding)
{
    probes = removes = probe_result = 0;
    build_topology();
    pci_mock_add(&pm, 0, 9, 0, 0x144d, 0xa808, 0x01, 0x08, 0); /* NVMe */
    int n = pci_enumerate(devs, 16, 0);
    ck_assert_int_eq(n, 10);
    struct bus_type bus;
    pci_bus_init(&bus);
    ck_assert_int_eq(pci_register_devices(&bus, devs, (size_t)n), 0);
    ck_assert_int_eq(device_register(&bus, &devs[0].dev), -EEXIST);
    ck_assert_int_eq(pci_register_devices(&bus, devs, 1), -EEXIST);

    struct driver refuser = { .name = "refuser", .id_table = storage_ids, .probe = fake_probe };
    probe_result = -EIO;
    ck_assert_int_eq(driver_register(&bus, &refuser), 0);
    ck_assert_int_eq(probes, 2);
    ck_assert_int_eq(devs[find(n, 1, 0, 0)].dev.probe_error, -EIO);
    ck_assert_int_eq(driver_unregister(&refuser), 0);

    struct driver drv = {
        .name = "fake", .id_table = storage_ids, .probe = fake_probe, .remove = fake_remove
    };
    probe_result = 0;
    probes = 0;
    ck_assert_int_eq(driver_register(&bus, &drv), 2);
    ck_assert_int_eq(driver_register(&bus, &drv), -EEXIST);
    struct device *vd = bus_find_device(&bus, "0000:01:00.0");
    ck_assert_ptr_nonnull(vd);
    ck_assert_ptr_eq(vd->driver, &drv);
    ck_assert_ptr_eq(pci_from_device(vd), &devs[find(n, 1, 0, 0)]);
    ck_assert_ptr_null(bus_find_device(&bus, "0000:09:00.0"));
    ck_assert_ptr_eq(bus_find_device(&bus, "0000:00:09.0")->driver, &drv);
    ck_assert_uint_eq(last_id->data, 42);

    char buf[1024];
    size_t len = bus_describe(&bus, buf, sizeof(buf));
    ck_assert_uint_eq(len, strlen(buf));
    ck_assert_ptr_nonnull(strstr(buf, "0000:01:00.0 fake\n"));
    ck_assert_ptr_nonnull(strstr(buf, "0000:02:05.0 -\n"));
    ck_assert_uint_eq(bus_describe(&bus, buf, 10), len);
    ck_assert_uint_eq(strlen(buf), 9);
    pci_print_list(devs, (size_t)n);

    /* A device registered later is bound at once; unregistering unbinds. */
    struct pci_device late;
    pci_mock_add(&pm, 0, 10, 0, 0x1af4, 0x1042, 0x01, 0x00, 0);
    ck_assert_int_eq(pci_probe_function(&late, 0, 10, 0), 0);
    ck_assert_int_eq(device_register(&bus, &late.dev), 0);
    ck_assert_ptr_eq(late.dev.driver, &drv);
    ck_assert_int_eq(device_unregister(&late.dev), 0);
    ck_assert_int_eq(removes, 1);
    ck_assert_int_eq(device_unregister(&late.dev), -ENOENT);

    ck_assert_int_eq(driver_unregister(&drv), 0);
    ck_assert_int_eq(removes, 3);
    ck_assert_ptr_null(vd->driver);
    ck_assert_int_eq(driver_unregister(&drv), -ENOENT);
    ck_assert_int_eq(device_register(NULL, &late.dev), -EINVAL);
    ck_assert_int_eq(driver_register(&bus, NULL), -EINVAL);
    ck_assert_ptr_null(pci_match_id(storage_ids + 2, &late));
    ck_assert_ptr_null(pci_match_id(NULL, &late));
}
END_TEST

Suite *pci_suite(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("pci");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_config_address_and_widths);
    tcase_add_test(tc, test_enumerate_follows_bridges_and_functions);
    tcase_add_test(tc, test_enumerate_bridge_loops_terminate);
    tcase_add_test(tc, test_enumerate_multiple_host_bridges);
    tcase_add_test(tc, test_bar_sizing);
    tcase_add_test(tc, test_capabilities);
    tcase_add_test(tc, test_enable_and_listing);
    tcase_add_test(tc, test_driver_model_binding);
    tcase_add_test(tc, test_lazy_bar_sizing);
    suite_add_tcase(s, tc);
    return s;
}
