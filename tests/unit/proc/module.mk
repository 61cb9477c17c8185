TEST := proc
TEST_SRCS := \
	tests/unit/proc/main.c \
	tests/unit/proc/elf_builder.c \
	tests/unit/proc/test_elf.c \
	tests/unit/proc/test_procfs_fmt.c \
	tests/unit/proc/test_ustack.c \
	tests/unit/proc/test_sys_names.c \
	tests/unit/proc/test_uvm.c \
	tests/unit/proc/test_uvm_fixture.c \
	tests/unit/proc/test_uvm_fork.c \
	tests/unit/proc/test_uvm_model.c \
	tests/unit/proc/test_uvm_pin.c \
	tests/unit/proc/test_exec_image.c
TEST_LIBS := proc
TEST_MOCKS := tests/mocks/cpu_mock.c tests/mocks/mm_sim.c
include mk/unittest.mk

# `make bench`: uvm_fork of a musl-shaped process (optimised build, no sanitizers).
BENCH_UVM := $(BINDIR)/bench_uvm
BENCH_UVM_OBJS := $(TBUILD)/tests/bench/bench_uvm.c.o $(TBUILD)/tests/mocks/cpu_mock.c.o
BENCH_UVM_LIBS := $(patsubst %,$(TBUILD)/lib%.a,$(call deps-closure,proc))
$(BENCH_UVM): $(BENCH_UVM_OBJS) $(BENCH_UVM_LIBS)
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) -o $@ $(BENCH_UVM_OBJS) -Wl,--start-group $(BENCH_UVM_LIBS) -Wl,--end-group
BENCH_BINS += $(BENCH_UVM)
ALL_OBJS += $(BENCH_UVM_OBJS)
