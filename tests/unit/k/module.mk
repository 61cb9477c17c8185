TEST := k
TEST_SRCS := \
	tests/unit/k/main.c \
	tests/unit/k/test_cmdline.c \
	tests/unit/k/test_console.c \
	tests/unit/k/test_klog.c \
	tests/unit/k/test_kprintf.c
TEST_LIBS := k
TEST_MOCKS :=
include mk/unittest.mk
