TEST := proc
TEST_SRCS := \
	tests/unit/proc/main.c \
	tests/unit/proc/elf_builder.c \
	tests/unit/proc/test_elf.c \
	tests/unit/proc/test_ustack.c \
	tests/unit/proc/test_uvm.c \
	tests/unit/proc/test_uvm_fixture.c \
	tests/unit/proc/test_uvm_fork.c \
	tests/unit/proc/test_uvm_model.c
TEST_LIBS := proc
TEST_MOCKS := tests/mocks/cpu_mock.c tests/mocks/mm_sim.c
include mk/unittest.mk
