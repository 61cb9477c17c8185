/*
 * main.c - Check runner for libdev.
 */
#include <check.h>
#include <stdlib.h>

Suite *kbd_suite(void);
Suite *tty_suite(void);
Suite *serial_suite(void);
Suite *vga_suite(void);
Suite *fbcon_suite(void);
Suite *pci_suite(void);
Suite *ramdisk_suite(void);
Suite *virtqueue_suite(void);
Suite *virtio_blk_suite(void);
Suite *virtio_blk_io_suite(void);
Suite *virtio_blk_async_suite(void);
Suite *virtio_blk_msix_suite(void);
Suite *dma_sg_suite(void);
Suite *virtio_blk_direct_suite(void);
Suite *blockdev_sg_suite(void);
Suite *blockdev_ra_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(serial_suite());
    srunner_add_suite(sr, vga_suite());
    srunner_add_suite(sr, fbcon_suite());
    srunner_add_suite(sr, kbd_suite());
    srunner_add_suite(sr, tty_suite());
    srunner_add_suite(sr, pci_suite());
    srunner_add_suite(sr, ramdisk_suite());
    srunner_add_suite(sr, virtqueue_suite());
    srunner_add_suite(sr, virtio_blk_suite());
    srunner_add_suite(sr, virtio_blk_io_suite());
    srunner_add_suite(sr, virtio_blk_async_suite());
    srunner_add_suite(sr, virtio_blk_msix_suite());
    srunner_add_suite(sr, dma_sg_suite());
    srunner_add_suite(sr, virtio_blk_direct_suite());
    srunner_add_suite(sr, blockdev_sg_suite());
    srunner_add_suite(sr, blockdev_ra_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
