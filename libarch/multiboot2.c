/*
 * multiboot2.c - parse the loader's information block (arch/multiboot2.h).
 *
 * Pure code over a byte buffer: integers are read with memcpy so alignment of a
 * malformed block cannot fault, and every length is checked before use.
 */
#include <k/errno.h>
#include <arch/multiboot2.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Copy a NUL-terminated string that must end within [s, s+max). */
static int copy_str(char *dst, size_t dstsz, const uint8_t *s, size_t max, bool *truncated)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    if (n == max)
        return -EINVAL;
    if (n >= dstsz) {
        n = dstsz - 1;
        *truncated = true;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static int parse_mmap(const uint8_t *t, uint32_t size, struct boot_info *out)
{
    if (size < 16)
        return -EINVAL;
    uint32_t esize = rd32(t + 8);
    if (esize < 24 || esize % 8 != 0)
        return -EINVAL;
    for (uint32_t off = 16; off + esize <= size; off += esize) {
        if (out->mmap_count == BOOT_MMAP_MAX) {
            out->truncated = true;
            break;
        }
        struct boot_mmap_entry *e = &out->mmap[out->mmap_count++];
        e->base = rd64(t + off);
        e->length = rd64(t + off + 8);
        e->type = rd32(t + off + 16);
    }
    return 0;
}

static int parse_tag(const uint8_t *t, uint32_t type, uint32_t size, struct boot_info *out)
{
    switch (type) {
    case MB2_TAG_CMDLINE:
        return copy_str(out->cmdline, sizeof(out->cmdline), t + 8, size - 8, &out->truncated);
    case MB2_TAG_BOOTLOADER:
        return copy_str(out->loader, sizeof(out->loader), t + 8, size - 8, &out->truncated);
    case MB2_TAG_MODULE: {
        if (size < 17)
            return -EINVAL;
        if (out->module_count == BOOT_MODULES_MAX) {
            out->truncated = true;
            return 0;
        }
        struct boot_module *m = &out->modules[out->module_count];
        m->start = rd32(t + 8);
        m->end = rd32(t + 12);
        if (m->end < m->start)
            return -EINVAL;
        out->module_count++;
        return copy_str(m->name, sizeof(m->name), t + 16, size - 16, &out->truncated);
    }
    case MB2_TAG_BASIC_MEM:
        if (size < 16)
            return -EINVAL;
        out->has_basic_mem = true;
        out->mem_lower_kb = rd32(t + 8);
        out->mem_upper_kb = rd32(t + 12);
        return 0;
    case MB2_TAG_MMAP:
        return parse_mmap(t, size, out);
    case MB2_TAG_FRAMEBUFFER:
        if (size < 30)
            return -EINVAL;
        out->has_framebuffer = true;
        out->fb.addr = rd64(t + 8);
        out->fb.pitch = rd32(t + 16);
        out->fb.width = rd32(t + 20);
        out->fb.height = rd32(t + 24);
        out->fb.bpp = t[28];
        out->fb.type = t[29];
        if (out->fb.type == MB2_FB_RGB) {
            /* GRUB's layout: the colour fields follow a 16-bit reserved word. */
            if (size < 38)
                return -EINVAL;
            out->fb.red_pos = t[32];
            out->fb.red_size = t[33];
            out->fb.green_pos = t[34];
            out->fb.green_size = t[35];
            out->fb.blue_pos = t[36];
            out->fb.blue_size = t[37];
        }
        return 0;
    case MB2_TAG_EFI32:
        if (size < 12)
            return -EINVAL;
        out->efi = true;
        out->efi_system_table = rd32(t + 8);
        return 0;
    case MB2_TAG_EFI64:
        if (size < 16)
            return -EINVAL;
        out->efi = true;
        out->efi_system_table = rd64(t + 8);
        return 0;
    case MB2_TAG_EFI_MMAP:
        out->efi = true; /* the map itself: the plain memory map (type 6) has it all */
        return 0;
    case MB2_TAG_EFI_BS:
        out->efi = true;
        out->efi_boot_services = true;
        return 0;
    case MB2_TAG_ACPI_OLD:
    case MB2_TAG_ACPI_NEW: {
        uint32_t len = size - 8;
        if (len < 20)
            return -EINVAL;
        if (len > BOOT_RSDP_MAX)
            len = BOOT_RSDP_MAX;
        /* Prefer the ACPI 2.0 copy when the loader gives both. */
        if (type == MB2_TAG_ACPI_OLD && out->rsdp_version == 2)
            return 0;
        memcpy(out->rsdp, t + 8, len);
        out->rsdp_len = len;
        out->rsdp_version = type == MB2_TAG_ACPI_NEW ? 2 : 1;
        return 0;
    }
    default:
        return 0; /* tags we do not use are skipped */
    }
}

int mb2_parse(const void *info, size_t avail, struct boot_info *out)
{
    const uint8_t *base = info;
    memset(out, 0, sizeof(*out));
    if (!info || avail < 16)
        return -EINVAL;

    uint32_t total = rd32(base);
    if (total < 16 || total > avail)
        return -EINVAL;
    out->info_size = total;

    uint32_t off = 8;
    for (;;) {
        if (off + 8 > total)
            return -EINVAL; /* ran off the end without an end tag */
        uint32_t type = rd32(base + off);
        uint32_t size = rd32(base + off + 4);
        if (size < 8 || size > total - off)
            return -EINVAL;
        if (type == MB2_TAG_END)
            return size == 8 ? 0 : -EINVAL;
        int err = parse_tag(base + off, type, size, out);
        if (err)
            return err;
        off += (size + 7) & ~7u; /* tags start 8-byte aligned */
    }
}

uint64_t boot_info_mem_available(const struct boot_info *bi)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        if (bi->mmap[i].type == MB2_MEM_AVAILABLE)
            total += bi->mmap[i].length;
    return total;
}

const char *mb2_mem_type_name(uint32_t type)
{
    switch (type) {
    case MB2_MEM_AVAILABLE:
        return "available";
    case MB2_MEM_RESERVED:
        return "reserved";
    case MB2_MEM_ACPI:
        return "ACPI reclaimable";
    case MB2_MEM_NVS:
        return "ACPI NVS";
    case MB2_MEM_BADRAM:
        return "bad RAM";
    case MB2_MEM_PERSISTENT:
        return "persistent";
    case MB2_MEM_FW_CODE:
        return "firmware code";
    default:
        return "unknown";
    }
}

const char *boot_info_firmware(const struct boot_info *bi)
{
    return bi->efi ? "UEFI" : "BIOS";
}
