/*
 * acpi.h - find the CPUs and interrupt controllers in the ACPI tables.
 *
 * The loader hands us a copy of the RSDP (multiboot2 tags 14/15). From it we
 * follow the XSDT (ACPI 2.0+) or the RSDT to the MADT ("APIC"), which lists
 * every processor's local APIC, the I/O APICs, and how the ISA interrupts are
 * wired to them. Nothing here touches hardware: physical memory is reached
 * through a map callback, so the parser runs the same on the host, where the
 * tests hand it tables built in memory, and in the kernel, where the callback
 * is the direct map.
 *
 * Every table is checked before use: its signature, that its length covers its
 * header and stays in bounds, and its checksum. Entries of unknown type are
 * skipped by their length; an entry whose length is short or runs past the
 * table ends the walk and is reported, never read.
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Most CPUs recorded; further ones are counted in acpi_madt::cpus_dropped. */
#define ACPI_MAX_CPUS 64
/** @brief Most I/O APICs recorded. */
#define ACPI_MAX_IOAPICS 8
/** @brief Most interrupt source overrides recorded. */
#define ACPI_MAX_OVERRIDES 16
/** @brief Most local-APIC NMI entries recorded. */
#define ACPI_MAX_NMIS 8
/** @brief acpi_lapic_nmi::acpi_uid meaning every processor. */
#define ACPI_UID_ALL 0xFFFFFFFFu

/** @brief One processor (MADT type 0, or type 9 for x2APIC ids). */
struct acpi_cpu {
    uint32_t apic_id;    /**< Local APIC id (x2APIC id for type 9). */
    uint32_t acpi_uid;   /**< ACPI processor UID. */
    bool enabled;        /**< Usable now (flag bit 0). */
    bool online_capable; /**< Disabled but may be brought online (flag bit 1). */
};

/** @brief One I/O APIC (MADT type 1). */
struct acpi_ioapic {
    uint8_t id;        /**< I/O APIC id. */
    uint32_t addr;     /**< Physical address of its registers. */
    uint32_t gsi_base; /**< First global system interrupt it serves. */
};

/** @brief An ISA interrupt wired to another GSI or polarity (MADT type 2). */
struct acpi_irq_override {
    uint8_t isa_irq; /**< ISA IRQ (the bus-relative source). */
    uint32_t gsi;    /**< Global system interrupt it arrives on. */
    bool active_low; /**< Polarity: active low (else active high / bus default). */
    bool level;      /**< Trigger: level (else edge / bus default). */
};

/** @brief A local APIC's LINT pin wired to NMI (MADT type 4 or 0xA). */
struct acpi_lapic_nmi {
    uint32_t acpi_uid; /**< Processor UID, or ACPI_UID_ALL. */
    uint8_t lint;      /**< LINT0 or LINT1. */
    bool active_low;   /**< Polarity: active low. */
    bool level;        /**< Trigger: level. */
};

/** @brief What the MADT says about the interrupt controllers and CPUs. */
struct acpi_madt {
    uint64_t lapic_addr;   /**< Local APIC registers (type 5 overrides the header's). */
    bool has_8259;         /**< PC-AT dual 8259 PICs present too (flag PCAT_COMPAT). */
    uint32_t ncpus;        /**< Entries in @ref cpus. */
    uint32_t cpus_dropped; /**< Processors beyond ACPI_MAX_CPUS. */
    struct acpi_cpu cpus[ACPI_MAX_CPUS];                    /**< Processors, in table order. */
    uint32_t nioapics;                                      /**< Entries in @ref ioapics. */
    struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];           /**< I/O APICs. */
    uint32_t noverrides;                                    /**< Entries in @ref overrides. */
    struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES]; /**< ISA IRQ overrides. */
    uint32_t nnmis;                                         /**< Entries in @ref nmis. */
    struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];              /**< Local APIC NMI pins. */
    uint32_t skipped; /**< Entries of types not listed above (skipped by length). */
    bool truncated;   /**< An entry's length was bad: the walk stopped there. */
};

/**
 * @brief Map @p len bytes of physical memory at @p pa for reading.
 * @return A pointer to them, or NULL if they can't be reached.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t pa, size_t len);

/**
 * @brief Check an RSDP: signature, checksum (and the extended one for 2.0+).
 * @param rsdp The RSDP's bytes.
 * @param len Bytes available at @p rsdp.
 * @param root Set to the XSDT's address when there is one, else the RSDT's.
 * @param xsdt Set to true when @p root is an XSDT (64-bit entries).
 * @return 0, or -EINVAL for a bad signature, checksum or length.
 */
int acpi_rsdp_root(const void *rsdp, size_t len, uint64_t *root, bool *xsdt);

/**
 * @brief Find a table by signature through the root table.
 * @param root Root table address from acpi_rsdp_root().
 * @param xsdt Whether @p root is an XSDT.
 * @param sig Four-character signature, e.g. "APIC".
 * @param map Physical memory access.
 * @param ctx Passed to @p map.
 * @param len Set to the table's length.
 * @return The validated table, or NULL if it is missing or broken (a table
 *         with a bad checksum is skipped, and a later good copy is used).
 */
const void *acpi_find_table(uint64_t root, bool xsdt, const char *sig, acpi_map_fn map, void *ctx,
                            size_t *len);

/**
 * @brief Parse a validated MADT.
 * @param madt The table (header included).
 * @param len Its length in bytes.
 * @param out Filled in; zeroed first.
 * @return 0, or -EINVAL when @p len can't hold the MADT's fixed part.
 */
int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out);

/**
 * @brief From the RSDP to a parsed MADT in one call.
 * @param rsdp The RSDP's bytes (the loader's copy).
 * @param rsdp_len Bytes at @p rsdp.
 * @param map Physical memory access.
 * @param ctx Passed to @p map.
 * @param out Filled in.
 * @return 0, -EINVAL for a broken RSDP, or -ENOENT when there is no valid MADT.
 */
int acpi_read_madt(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
                   struct acpi_madt *out);

#endif
