TEST := shell
TEST_SRCS := \
	tests/unit/shell/editor_fixture.c \
	tests/unit/shell/main.c \
	tests/unit/shell/test_editor.c \
	tests/unit/shell/test_editor_complete.c \
	tests/unit/shell/test_editor_screen.c \
	tests/unit/shell/test_history.c
TEST_LIBS := shell
TEST_MOCKS := tests/mocks/cpu_mock.c
include mk/unittest.mk
