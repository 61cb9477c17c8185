/*
 * fbconsole.c - start the framebuffer console (kernel/fbconsole.h).
 *
 * Glue only: the framebuffer is mapped uncached with libmm's device mapping
 * (it is not RAM, so it is outside the direct map), the cell grid comes from
 * the kernel heap, and libdev's fbcon does the drawing. Both live for the
 * kernel's lifetime.
 */
#include <dev/fbcon.h>
#include <k/console.h>
#include <k/errno.h>
#include <k/klog.h>
#include <kernel/fbconsole.h>
#include <mm/heap.h>
#include <mm/kmap.h>
#include <mm/mm.h>
#include <string.h>

static struct fbcon screen;

static void replay(void *ctx, const struct klog_record *r)
{
    struct fbcon *c = ctx;
    if (strcmp(r->subsys, "kernel") != 0) {
        fbcon_write(c, r->subsys, strlen(r->subsys));
        fbcon_write(c, ": ", 2);
    }
    fbcon_write(c, r->text, strlen(r->text));
    fbcon_write(c, "\n", 1);
}

int kernel_fbcon_init(const struct boot_info *bi, const struct console_ops **ops, void **ctx)
{
    const struct boot_framebuffer *fb = &bi->fb;
    if (!bi->has_framebuffer || fb->type == MB2_FB_EGA_TEXT)
        return -ENODEV;
    if (fb->type != MB2_FB_RGB) {
        klogf(KLOG_WARNING, "fb", "%ux%u framebuffer is palette-indexed: not supported", fb->width,
              fb->height);
        return -ENOTSUP;
    }
    struct fbcon_mode mode = {
        .pitch = fb->pitch,
        .width = fb->width,
        .height = fb->height,
        .bpp = fb->bpp,
        .red_pos = fb->red_pos,
        .red_size = fb->red_size,
        .green_pos = fb->green_pos,
        .green_size = fb->green_size,
        .blue_pos = fb->blue_pos,
        .blue_size = fb->blue_size,
    };
    const struct fbcon_font *font = &fbcon_font_default;
    size_t ncells = fbcon_cells_needed(&mode, font);
    uint64_t bytes = (uint64_t)fb->pitch * fb->height;
    int err = ncells ? 0 : -EINVAL;
    if (!err)
        err = mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), fb->addr, bytes, &mode.base);
    if (err) {
        klogf(KLOG_ERR, "fb", "cannot map the %ux%u framebuffer at %#llx: %s", fb->width,
              fb->height, (unsigned long long)fb->addr, k_strerror(err));
        return err;
    }
    struct fbcon_cell *cells = kcalloc(ncells, sizeof(*cells));
    if (!cells)
        err = -ENOMEM;
    else
        err = fbcon_init(&screen, &mode, font, cells, ncells);
    if (err) {
        klogf(KLOG_ERR, "fb", "no console on the %ux%ux%u framebuffer: %s", fb->width, fb->height,
              fb->bpp, k_strerror(err));
        kfree(cells);
        mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), mode.base, bytes);
        return err;
    }
    klog_read(klog_console_level(), replay, &screen);
    err = console_register("fb", &fbcon_console_ops, &screen);
    if (err) {
        kfree(cells);
        mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), mode.base, bytes);
        return err;
    }
    klogf(KLOG_INFO, "fb", "%ux%ux%u at %#llx: %dx%d text, font %s (%ux%u)", fb->width, fb->height,
          fb->bpp, (unsigned long long)fb->addr, screen.cols, screen.rows, font->name, font->width,
          font->height);
    *ops = &fbcon_console_ops;
    *ctx = &screen;
    return 0;
}
