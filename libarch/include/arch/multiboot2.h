/**
 * @file arch/multiboot2.h
 * @brief Parse the multiboot2 boot information into a plain struct.
 *
 * The loader's information block is a list of tags in memory the kernel will
 * later reclaim, so kmain() parses it once, early, into `struct boot_info`
 * (fixed-size arrays, copied strings) that later code keeps using. The parser is
 * pure and checks every size and offset against the block's length, so a
 * malformed block yields -EINVAL instead of a wild read.
 */
#ifndef ARCH_MULTIBOOT2_H
#define ARCH_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Magic value the loader leaves in EAX. */
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/** @name Tag types (multiboot2 specification, section 3.6) */
/** @{ */
#define MB2_TAG_END         0  /**< Last tag. */
#define MB2_TAG_CMDLINE     1  /**< Kernel command line. */
#define MB2_TAG_BOOTLOADER  2  /**< Boot loader name. */
#define MB2_TAG_MODULE      3  /**< A boot module. */
#define MB2_TAG_BASIC_MEM   4  /**< Lower/upper memory sizes. */
#define MB2_TAG_BOOTDEV     5  /**< BIOS boot device. */
#define MB2_TAG_MMAP        6  /**< Memory map. */
#define MB2_TAG_FRAMEBUFFER 8  /**< Framebuffer information. */
#define MB2_TAG_EFI32       11 /**< 32-bit EFI system table pointer. */
#define MB2_TAG_EFI64       12 /**< 64-bit EFI system table pointer. */
#define MB2_TAG_ACPI_OLD    14 /**< Copy of the ACPI 1.0 RSDP. */
#define MB2_TAG_ACPI_NEW    15 /**< Copy of the ACPI 2.0+ RSDP. */
#define MB2_TAG_EFI_MMAP    17 /**< The EFI memory map. */
#define MB2_TAG_EFI_BS      18 /**< EFI boot services were not exited. */
/** @} */

/** @name Framebuffer types (struct boot_framebuffer's type) */
/** @{ */
#define MB2_FB_INDEXED  0 /**< Palette-indexed pixels. */
#define MB2_FB_RGB      1 /**< Direct colour: see the field positions and sizes. */
#define MB2_FB_EGA_TEXT 2 /**< EGA/VGA text mode (width and height in characters). */
/** @} */

/** @name Memory-map entry types */
/** @{ */
#define MB2_MEM_AVAILABLE  1  /**< Usable RAM. */
#define MB2_MEM_RESERVED   2  /**< Reserved. */
#define MB2_MEM_ACPI       3  /**< ACPI tables, reclaimable. */
#define MB2_MEM_NVS        4  /**< ACPI non-volatile storage. */
#define MB2_MEM_BADRAM     5  /**< Defective RAM. */
#define MB2_MEM_PERSISTENT 7  /**< Persistent (non-volatile) memory. */
#define MB2_MEM_FW_CODE    20 /**< Firmware runtime code (GRUB under UEFI). */
/** @} */

#define BOOT_CMDLINE_MAX     256 /**< Longest command line kept (with NUL). */
#define BOOT_LOADER_NAME_MAX 64  /**< Longest loader name kept (with NUL). */
#define BOOT_MMAP_MAX        64  /**< Most memory-map entries kept. */
#define BOOT_MODULES_MAX     8   /**< Most modules kept. */
#define BOOT_MODULE_NAME_MAX 64  /**< Longest module string kept (with NUL). */
#define BOOT_RSDP_MAX        36  /**< Size of an ACPI 2.0 RSDP. */

/** @brief One memory-map range. */
struct boot_mmap_entry {
    uint64_t base;   /**< Physical start. */
    uint64_t length; /**< Bytes. */
    uint32_t type;   /**< MB2_MEM_*. */
};

/** @brief One boot module loaded by the loader. */
struct boot_module {
    uint32_t start;                  /**< Physical start. */
    uint32_t end;                    /**< Physical end (exclusive). */
    char name[BOOT_MODULE_NAME_MAX]; /**< Its command-line string. */
};

/** @brief The framebuffer the loader set up (MB2_FB_EGA_TEXT is VGA text mode). */
struct boot_framebuffer {
    uint64_t addr;      /**< Physical address. */
    uint32_t pitch;     /**< Bytes per row. */
    uint32_t width;     /**< Pixels, or characters in text mode. */
    uint32_t height;    /**< Pixels, or characters in text mode. */
    uint8_t bpp;        /**< Bits per pixel. */
    uint8_t type;       /**< MB2_FB_INDEXED, MB2_FB_RGB or MB2_FB_EGA_TEXT. */
    uint8_t red_pos;    /**< MB2_FB_RGB: bit position of red. */
    uint8_t red_size;   /**< MB2_FB_RGB: bits of red. */
    uint8_t green_pos;  /**< MB2_FB_RGB: bit position of green. */
    uint8_t green_size; /**< MB2_FB_RGB: bits of green. */
    uint8_t blue_pos;   /**< MB2_FB_RGB: bit position of blue. */
    uint8_t blue_size;  /**< MB2_FB_RGB: bits of blue. */
};

/** @brief Everything the kernel keeps from the multiboot2 information. */
struct boot_info {
    uint64_t info_phys;                           /**< Where the loader's block was. */
    uint32_t info_size;                           /**< Its total size. */
    char cmdline[BOOT_CMDLINE_MAX];               /**< Kernel command line ("" if none). */
    char loader[BOOT_LOADER_NAME_MAX];            /**< Boot loader name ("" if none). */
    bool has_basic_mem;                           /**< mem_lower/mem_upper are valid. */
    uint32_t mem_lower_kb;                        /**< KiB of low memory. */
    uint32_t mem_upper_kb;                        /**< KiB above 1 MiB. */
    struct boot_mmap_entry mmap[BOOT_MMAP_MAX];   /**< The memory map. */
    uint32_t mmap_count;                          /**< Entries in @ref mmap. */
    struct boot_module modules[BOOT_MODULES_MAX]; /**< Modules. */
    uint32_t module_count;                        /**< Entries in @ref modules. */
    bool has_framebuffer;                         /**< @ref fb is valid. */
    struct boot_framebuffer fb;                   /**< Framebuffer description. */
    uint8_t rsdp[BOOT_RSDP_MAX];                  /**< Copy of the ACPI RSDP. */
    uint32_t rsdp_len;                            /**< Bytes in @ref rsdp, 0 if none. */
    uint32_t rsdp_version;                        /**< 1 (ACPI 1.0) or 2 (2.0+). */
    bool efi;                                     /**< Booted through UEFI (an EFI tag seen). */
    uint64_t efi_system_table;                    /**< Physical address, 0 if not given. */
    bool efi_boot_services;                       /**< The loader left boot services running. */
    bool truncated;                               /**< Something did not fit and was cut. */
};

/**
 * @brief Parse a multiboot2 information block.
 * @param info the block (8-byte aligned, as the loader provides it)
 * @param avail bytes readable at @p info; the block's own size must fit in it
 * @param out  filled in; zeroed first
 * @return 0, or -EINVAL if the block is malformed (sizes out of range, missing
 *         end tag, unterminated strings, bad memory-map entry size, a direct-colour
 *         framebuffer without its colour fields)
 */
int mb2_parse(const void *info, size_t avail, struct boot_info *out);

/**
 * @brief Total bytes of available RAM in the memory map.
 * @param bi parsed boot information
 * @return the sum of the MB2_MEM_AVAILABLE ranges
 */
uint64_t boot_info_mem_available(const struct boot_info *bi);

/**
 * @brief Name of a memory-map type.
 * @param type an MB2_MEM_* value
 * @return "available", "reserved", ... or "unknown"
 */
const char *mb2_mem_type_name(uint32_t type);

/**
 * @brief Name of the firmware that started the loader.
 * @param bi parsed boot information
 * @return "UEFI" when an EFI tag was present, else "BIOS"
 */
const char *boot_info_firmware(const struct boot_info *bi);

#endif
