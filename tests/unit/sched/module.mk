TEST := sched
TEST_SRCS := \
	tests/unit/sched/main.c \
	tests/unit/sched/test_async.c \
	tests/unit/sched/test_executor.c \
	tests/unit/sched/test_idle_poll.c \
	tests/unit/sched/test_runq.c \
	tests/unit/sched/test_threads.c
TEST_LIBS := sched
TEST_MOCKS := tests/mocks/cpu_mock.c tests/mocks/sched_asan_fiber.c
TEST_LDFLAGS := -Wl,--wrap=sched_context_switch -Wl,--wrap=sched_thread_start
include mk/unittest.mk
