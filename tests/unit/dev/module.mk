TEST := dev
TEST_SRCS := \
	tests/unit/dev/main.c \
	tests/unit/dev/test_kbd.c \
	tests/unit/dev/test_serial.c \
	tests/unit/dev/test_vga.c
TEST_LIBS := dev arch
TEST_MOCKS := tests/mocks/cpu_mock.c
include mk/unittest.mk
