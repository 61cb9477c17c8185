# libdev: device drivers (serial console, VGA text mode, PS/2 keyboard).
MODULE := dev
MODULE_DIR := libdev
MODULE_SRCS := \
	libdev/kbd.c \
	libdev/kbd_decode.c \
	libdev/serial.c \
	libdev/vga.c
include mk/library.mk
