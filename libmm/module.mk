# libmm: physical frames, page tables, address spaces, virtual regions, kernel
# stacks, MMIO windows, the kernel heap (three backends).
MODULE := mm
MODULE_DIR := libmm
MODULE_DEPS := arch k
MODULE_SRCS := \
	libmm/aspace.c \
	libmm/frame.c \
	libmm/heap.c \
	libmm/heap_block.c \
	libmm/heap_bump.c \
	libmm/heap_list.c \
	libmm/kmap.c \
	libmm/phys.c \
	libmm/pt.c \
	libmm/vregion.c
MODULE_KERNEL_SRCS := \
	libmm/mm_init.c
MODULE_HOST_SRCS :=
include mk/library.mk
