# libdev: device drivers (serial console, VGA text mode).
MODULE := dev
MODULE_DIR := libdev
MODULE_SRCS := \
	libdev/serial.c \
	libdev/vga.c
include mk/library.mk
