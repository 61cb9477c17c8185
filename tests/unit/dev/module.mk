TEST := dev
TEST_SRCS := \
	tests/unit/dev/main.c \
	tests/unit/dev/test_kbd.c \
	tests/unit/dev/test_tty.c \
	tests/unit/dev/test_serial.c \
	tests/unit/dev/test_vga.c \
	tests/unit/dev/test_fbcon.c \
	tests/unit/dev/test_pci.c \
	tests/unit/dev/test_ramdisk.c \
	tests/unit/dev/test_virtqueue.c \
	tests/unit/dev/virtio_blk_fixture.c \
	tests/unit/dev/test_virtio_blk.c \
	tests/unit/dev/test_virtio_blk_io.c \
	tests/unit/dev/test_virtio_blk_async.c \
	tests/unit/dev/test_virtio_blk_msix.c \
	tests/unit/dev/test_dma_sg.c \
	tests/unit/dev/test_virtio_blk_direct.c \
	tests/unit/dev/test_blockdev_sg.c \
	tests/unit/dev/test_blockdev_ra.c
TEST_LIBS := dev
TEST_MOCKS := \
	tests/mocks/cpu_mock.c \
	tests/mocks/pci_mock.c \
	tests/mocks/virtio_blk_model.c \
	tests/mocks/virtio_dma.c
include mk/unittest.mk
