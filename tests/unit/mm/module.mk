TEST := mm
TEST_SRCS := \
	tests/unit/mm/main.c \
	tests/unit/mm/test_frame.c \
	tests/unit/mm/test_pt.c \
	tests/unit/mm/test_pt_walk.c \
	tests/unit/mm/test_vregion.c \
	tests/unit/mm/test_kmap.c \
	tests/unit/mm/test_heap.c
TEST_LIBS := mm
TEST_MOCKS := tests/mocks/cpu_mock.c tests/mocks/mm_sim.c
include mk/unittest.mk

# `make bench`: heap backends against glibc malloc (optimised build, no sanitizers).
BENCH_HEAP := $(BINDIR)/bench_heap
BENCH_HEAP_OBJS := $(TBUILD)/tests/bench/bench_heap.c.o $(TBUILD)/tests/mocks/cpu_mock.c.o
$(BENCH_HEAP): $(BENCH_HEAP_OBJS) $(TBUILD)/libmm.a $(TBUILD)/libarch.a $(TBUILD)/libk.a
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) -o $@ $(BENCH_HEAP_OBJS) $(TBUILD)/libmm.a $(TBUILD)/libarch.a $(TBUILD)/libk.a
BENCH_BINS += $(BENCH_HEAP)
ALL_OBJS += $(BENCH_HEAP_OBJS)
