# libdev: device drivers (serial console, VGA text mode, framebuffer console,
# PS/2 keyboard), the driver model, PCI, virtio-pci, virtqueues, virtio-blk and
# the block interface. fbcon_font.c is generated from a console font (mk/font.mk).
MODULE := dev
MODULE_DIR := libdev
MODULE_DEPS := arch k
MODULE_SRCS := \
	libdev/kbd.c \
	libdev/kbd_decode.c \
	libdev/tty.c \
	libdev/serial.c \
	libdev/vga.c \
	libdev/blockdev.c \
	libdev/blockdev_sg.c \
	libdev/blockdev_ra.c \
	libdev/blockdev_batch.c \
	libdev/dev_irq.c \
	libdev/fbcon.c \
	$(BUILD)/gen/libdev/fbcon_font.c \
	libdev/devmodel.c \
	libdev/dma.c \
	libdev/dma_sg.c \
	libdev/mmio.c \
	libdev/pci.c \
	libdev/pci_list.c \
	libdev/ramdisk.c \
	libdev/virtio_blk.c \
	libdev/virtio_blk_io.c \
	libdev/virtio_pci.c \
	libdev/virtqueue.c \
	libdev/wait.c
include mk/library.mk
