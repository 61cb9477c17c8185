/**
 * @file dev/pci.h
 * @brief PCI: configuration space, enumeration, BARs, capabilities, the PCI bus.
 *
 * Configuration space is reached through the legacy mechanism #1: the address
 * goes to port 0xCF8 (enable bit, bus, device, function, register) and the data
 * is read or written at 0xCFC-0xCFF with 8, 16 or 32-bit accesses.
 *
 * pci_enumerate() walks the hierarchy from bus 0, descending through PCI-to-PCI
 * bridges to their secondary buses, checking function 0 of every slot and
 * functions 1-7 only for multi-function devices; an absent function reads vendor
 * 0xFFFF. PCI_SCAN_ALL_BUSES scans all 256 buses instead (brute force). Each
 * found function fills a caller-owned `struct pci_device` with its IDs, class,
 * interrupt line and decoded, sized BARs.
 *
 * Locking: the 0xCF8/0xCFC pair is a two-step protocol, so every access holds an
 * interrupt-safe spinlock across both steps.
 */
#ifndef DEV_PCI_H
#define DEV_PCI_H

#include <dev/device.h>
#include <dev/mmio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xcf8 /**< Configuration address port. */
#define PCI_CONFIG_DATA    0xcfc /**< Configuration data port (to 0xcff). */

/** @name Configuration header registers */
/** @{ */
#define PCI_VENDOR_ID       0x00 /**< 16-bit vendor ID (0xFFFF: no function). */
#define PCI_DEVICE_ID       0x02 /**< 16-bit device ID. */
#define PCI_COMMAND         0x04 /**< 16-bit command register. */
#define PCI_STATUS          0x06 /**< 16-bit status register. */
#define PCI_REVISION        0x08 /**< Revision ID. */
#define PCI_PROG_IF         0x09 /**< Programming interface. */
#define PCI_SUBCLASS        0x0a /**< Subclass. */
#define PCI_CLASS           0x0b /**< Base class. */
#define PCI_HEADER_TYPE     0x0e /**< Header type; bit 7: multi-function. */
#define PCI_BAR0            0x10 /**< First base address register. */
#define PCI_PRIMARY_BUS     0x18 /**< Bridge: primary bus number. */
#define PCI_SECONDARY_BUS   0x19 /**< Bridge: secondary bus number. */
#define PCI_SUBORDINATE_BUS 0x1a /**< Bridge: highest bus behind it. */
#define PCI_SUBSYS_VENDOR   0x2c /**< Type 0: subsystem vendor ID. */
#define PCI_SUBSYS_ID       0x2e /**< Type 0: subsystem ID. */
#define PCI_CAP_PTR         0x34 /**< First capability (status bit 4 set). */
#define PCI_INTERRUPT_LINE  0x3c /**< Legacy IRQ line the firmware routed. */
#define PCI_INTERRUPT_PIN   0x3d /**< 0 none, 1..4 INTA..INTD. */
/** @} */

/** @name Command register bits */
/** @{ */
#define PCI_CMD_IO           0x0001 /**< Decode I/O BARs. */
#define PCI_CMD_MEMORY       0x0002 /**< Decode memory BARs. */
#define PCI_CMD_BUS_MASTER   0x0004 /**< May initiate DMA. */
#define PCI_CMD_INTX_DISABLE 0x0400 /**< Legacy interrupt disabled. */
/** @} */

#define PCI_STATUS_CAP_LIST 0x0010 /**< A capability list exists. */
#define PCI_HEADER_MULTIFN  0x80   /**< Header type bit: multi-function device. */
#define PCI_HEADER_BRIDGE   0x01   /**< Header type 1: PCI-to-PCI bridge. */
#define PCI_CLASS_BRIDGE    0x06   /**< Bridge class ... */
#define PCI_SUBCLASS_P2P    0x04   /**< ... PCI-to-PCI subclass. */
#define PCI_CAP_ID_VENDOR   0x09   /**< Vendor-specific capability (virtio uses it). */
#define PCI_ANY_ID          0xffff /**< Match-table wildcard for vendor/device. */
#define PCI_MAX_BARS        6      /**< BARs in a type 0 header. */
#define PCI_MAX_BUSES       256    /**< Bus numbers. */
#define PCI_CAP_MAX         48     /**< Most capabilities a well-formed list can hold. */
#define PCI_CAP_ID_MSIX     0x11   /**< MSI-X capability. */
#define PCI_MSIX_CTRL       2      /**< MSI-X: message control (16), from the capability. */
#define PCI_MSIX_TABLE      4      /**< MSI-X: table offset | BIR (32). */
#define PCI_MSIX_ENABLE     0x8000 /**< Message control: MSI-X on (INTx off). */
#define PCI_MSIX_MASKALL    0x4000 /**< Message control: every vector masked. */
#define PCI_MSIX_ENTRY_SIZE 16     /**< Bytes per table entry (addr lo, hi, data, control). */
#define PCI_SCAN_ALL_BUSES  1u     /**< pci_enumerate(): scan 0-255, not just bridges. */
/** pci_enumerate(): leave the BARs unsized (pci_size_bars() later, when needed). */
#define PCI_SCAN_LAZY_BARS 2u

/** @brief What a BAR decodes. */
enum pci_bar_type {
    PCI_BAR_NONE = 0, /**< Unimplemented (or the upper half of a 64-bit BAR). */
    PCI_BAR_IO,       /**< I/O ports. */
    PCI_BAR_MEM32,    /**< 32-bit memory. */
    PCI_BAR_MEM64,    /**< 64-bit memory (uses two BAR slots). */
};

/** @brief One decoded and sized BAR. */
struct pci_bar {
    uint64_t base;          /**< Port or physical address. */
    uint64_t size;          /**< Bytes (ports) decoded; 0 if none. */
    enum pci_bar_type type; /**< What it decodes. */
    bool prefetchable;      /**< Memory BAR marked prefetchable. */
};

/** @brief One PCI function. */
struct pci_device {
    struct device dev;                 /**< Driver-model node ("0000:bb:dd.f"). */
    uint8_t bus;                       /**< Bus number. */
    uint8_t slot;                      /**< Device number 0..31. */
    uint8_t func;                      /**< Function number 0..7. */
    uint16_t vendor_id;                /**< Vendor ID. */
    uint16_t device_id;                /**< Device ID. */
    uint16_t subsys_vendor;            /**< Subsystem vendor ID (type 0 only). */
    uint16_t subsys_id;                /**< Subsystem ID (type 0 only). */
    uint8_t class_code;                /**< Base class. */
    uint8_t subclass;                  /**< Subclass. */
    uint8_t prog_if;                   /**< Programming interface. */
    uint8_t revision;                  /**< Revision ID. */
    uint8_t header_type;               /**< Without the multi-function bit. */
    bool multifunction;                /**< Header bit 7 (of function 0). */
    uint8_t secondary_bus;             /**< Bridges: bus behind it. */
    uint8_t irq_line;                  /**< Legacy IRQ line the firmware routed (0xff: none). */
    uint8_t irq_pin;                   /**< 0 none, 1..4 INTA..INTD. */
    struct pci_bar bars[PCI_MAX_BARS]; /**< Decoded BARs (type 0: 6, type 1: 2). */
    bool bars_sized;                   /**< @ref bars is filled in (pci_size_bars()). */
};

/** @brief A match-table entry for PCI drivers; a table ends with vendor 0. */
struct pci_device_id {
    uint16_t vendor;     /**< Vendor or PCI_ANY_ID. */
    uint16_t device;     /**< Device or PCI_ANY_ID. */
    uint32_t class_mask; /**< Bits of (class << 16 | subclass << 8 | prog_if) to compare. */
    uint32_t class_val;  /**< Value they must have. */
    uintptr_t data;      /**< For the driver (e.g. a variant). */
};

/** @name Raw configuration access (any bus/slot/function) */
/** @{ */
/** @brief Read 8 bits. @param b bus @param s slot @param f function @param off register @return
 * value */
uint8_t pci_config_read8(uint8_t b, uint8_t s, uint8_t f, uint8_t off);
/** @brief Read 16 bits. @param b bus @param s slot @param f function @param off register @return
 * value */
uint16_t pci_config_read16(uint8_t b, uint8_t s, uint8_t f, uint8_t off);
/** @brief Read 32 bits. @param b bus @param s slot @param f function @param off register @return
 * value */
uint32_t pci_config_read32(uint8_t b, uint8_t s, uint8_t f, uint8_t off);
/** @brief Write 8 bits. @param b bus @param s slot @param f function @param off register @param v
 * value */
void pci_config_write8(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint8_t v);
/** @brief Write 16 bits. @param b bus @param s slot @param f function @param off register @param v
 * value */
void pci_config_write16(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint16_t v);
/** @brief Write 32 bits. @param b bus @param s slot @param f function @param off register @param v
 * value */
void pci_config_write32(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint32_t v);
/** @} */

/** @name Configuration access of a found function */
/** @{ */
/** @brief Read 8 bits. @param d device @param off register @return value */
uint8_t pci_read8(const struct pci_device *d, uint8_t off);
/** @brief Read 16 bits. @param d device @param off register @return value */
uint16_t pci_read16(const struct pci_device *d, uint8_t off);
/** @brief Read 32 bits. @param d device @param off register @return value */
uint32_t pci_read32(const struct pci_device *d, uint8_t off);
/** @brief Write 8 bits. @param d device @param off register @param v value */
void pci_write8(const struct pci_device *d, uint8_t off, uint8_t v);
/** @brief Write 16 bits. @param d device @param off register @param v value */
void pci_write16(const struct pci_device *d, uint8_t off, uint16_t v);
/** @brief Write 32 bits. @param d device @param off register @param v value */
void pci_write32(const struct pci_device *d, uint8_t off, uint32_t v);
/** @} */

/**
 * @brief Read one function's header into @p d and size its BARs.
 * @param d    out: the function (zeroed first)
 * @param bus  bus
 * @param slot device 0..31
 * @param func function 0..7
 * @return 0, or -ENODEV if nothing answers there (vendor 0xFFFF)
 */
int pci_probe_function(struct pci_device *d, uint8_t bus, uint8_t slot, uint8_t func);

/**
 * @brief Read one function's header into @p d, leaving its BARs unsized
 * (@ref pci_device::bars_sized false) for pci_size_bars().
 * @param d    out: the function (zeroed first)
 * @param bus  bus
 * @param slot device 0..31
 * @param func function 0..7
 * @return 0, or -ENODEV if nothing answers there (vendor 0xFFFF)
 */
int pci_probe_function_lazy(struct pci_device *d, uint8_t bus, uint8_t slot, uint8_t func);

/**
 * @brief Decode and size every BAR of @p d, once: decoding goes off for the
 * whole function and back on (under QEMU each change of the decode bits
 * remaps the device's regions, a millisecond or more of emulation, so the
 * kernel sizes only the functions a driver binds, and the rest when they are
 * listed). Does nothing if @ref pci_device::bars_sized is already set.
 * @param d the function, from pci_probe_function_lazy() or pci_enumerate()
 */
void pci_size_bars(struct pci_device *d);

/**
 * @brief Find every PCI function.
 * @param out   array for the results (caller-owned)
 * @param max   its length; functions beyond it are counted but not stored
 * @param flags 0 (follow bridges from bus 0) or PCI_SCAN_ALL_BUSES, and
 *              PCI_SCAN_LAZY_BARS to leave the BARs for pci_size_bars()
 * @return how many functions exist (may exceed @p max), or -EINVAL
 * Not reentrant (the scan state is static, to keep it off the kernel stack):
 * call it from one thread at boot.
 */
int pci_enumerate(struct pci_device *out, size_t max, unsigned flags);

/**
 * @brief Decode and size BAR @p index (writes all ones and restores it, with
 * decoding switched off meanwhile).
 * @param d     the function
 * @param index 0..5
 * @param bar   out: the decoded BAR
 * @return the BAR slots it uses (1, or 2 for 64-bit), or -EINVAL for a bad index
 */
int pci_bar_decode(const struct pci_device *d, int index, struct pci_bar *bar);

/**
 * @brief Walk the capability list.
 * @param d    the function
 * @param prev 0 for the first capability, else the offset of the previous one
 * @return the offset of the next capability, or 0 at the end (or when a pointer
 *         leads into the standard header). A walk with this function must stop
 *         after PCI_CAP_MAX steps, since a malformed list may loop;
 *         pci_cap_find() does.
 */
uint8_t pci_cap_next(const struct pci_device *d, uint8_t prev);

/**
 * @brief Find a capability by ID.
 * @param d     the function
 * @param id    capability ID (e.g. PCI_CAP_ID_VENDOR)
 * @param start 0, or a capability offset to continue after
 * @return its offset, or 0 if absent (also for a looping or malformed list,
 *         which ends after PCI_CAP_MAX entries)
 */
uint8_t pci_cap_find(const struct pci_device *d, uint8_t id, uint8_t start);

/** @brief A function's MSI-X capability and its mapped vector table. */
struct pci_msix {
    uint8_t cap;                 /**< Capability offset (0: none). */
    uint16_t size;               /**< Table entries. */
    uint8_t bar;                 /**< BAR holding the table. */
    uint32_t offset;             /**< Table offset in that BAR. */
    volatile uint8_t *table;     /**< The table, mapped by the caller (pci_msix_map's job). */
    const struct mmio_bus *mmio; /**< Register access for the table. */
};

/**
 * @brief Find a function's MSI-X capability and check its table lies in a memory BAR.
 * @param d the function
 * @param m out: the capability (table not mapped yet)
 * @return 0, -ENOENT (no MSI-X) or -ENODEV (table outside a memory BAR)
 */
int pci_msix_probe(const struct pci_device *d, struct pci_msix *m);

/**
 * @brief Program one table entry (the function must have memory decoding on).
 * @param m      the capability, table mapped
 * @param entry  0..size-1
 * @param addr   message address
 * @param data   message data
 * @param masked leave the entry masked
 * @return 0 or -EINVAL (no table, entry out of range)
 */
int pci_msix_set_entry(const struct pci_msix *m, unsigned entry, uint64_t addr, uint32_t data,
                       bool masked);

/**
 * @brief Turn MSI-X on (the function stops using INTx) or off.
 * @param d  the function
 * @param m  its capability
 * @param on true to enable, with the function-wide mask cleared
 */
void pci_msix_enable(const struct pci_device *d, const struct pci_msix *m, bool on);

/**
 * @brief Turn on command-register bits (PCI_CMD_IO, _MEMORY, _BUS_MASTER) and
 * clear PCI_CMD_INTX_DISABLE so the legacy interrupt can fire.
 * @param d    the function
 * @param bits the bits to set
 */
void pci_enable(const struct pci_device *d, uint16_t bits);

/**
 * @brief Compare a function against a match table.
 * @param table entries, ended by one with vendor 0
 * @param d     the function
 * @return the matching entry, or NULL
 */
const struct pci_device_id *pci_match_id(const struct pci_device_id *table,
                                         const struct pci_device *d);

/**
 * @brief Set up @p bus as the PCI bus (name "pci", match by struct pci_device_id).
 * @param bus the bus (caller-owned)
 */
void pci_bus_init(struct bus_type *bus);

/**
 * @brief Register found functions on the PCI bus (binding drivers as they match).
 * @param bus  a bus set up with pci_bus_init()
 * @param devs the functions (they must stay alive)
 * @param n    how many
 * @return 0 or the first error from device_register()
 */
int pci_register_devices(struct bus_type *bus, struct pci_device *devs, size_t n);

/** @brief The pci_device around a driver-model device. @param dev device @return it */
static inline struct pci_device *pci_from_device(struct device *dev)
{
    return (struct pci_device *)((char *)dev - offsetof(struct pci_device, dev));
}

/**
 * @brief A short English name for a class/subclass ("mass storage/SCSI", ...).
 * @param class_code base class
 * @param subclass   subclass
 * @return a static string
 */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);

/**
 * @brief One lspci-like line: "00:04.0 1af4:1042 [01.00] mass storage/SCSI irq 11"
 * followed by indented BAR lines ("  BAR4 mem64 pf 0xfe000000 [16K]").
 * @param d    the function
 * @param buf  output, NUL-terminated when @p size > 0
 * @param size its size
 * @return the length the whole text needs
 */
size_t pci_describe(const struct pci_device *d, char *buf, size_t size);

/**
 * @brief Print the lspci-like listing of @p n functions with kprintf, with the
 * driver bound to each ("-" if none).
 * @param devs the functions
 * @param n    how many
 */
void pci_print_list(const struct pci_device *devs, size_t n);

#endif
