# mk/config.mk - toolchains and flags for the two build variants.
#
# Every library is compiled twice from the same sources:
#   build/kernel/  freestanding, for kernel.elf
#   build/host/    hosted, with ASan + UBSan + coverage, for the unit tests
# Libraries with host sources are also built a third way, optimised without
# sanitizers, for the host tools in build/bin/ and the benchmarks:
#   build/tools/

BUILD      ?= build
KBUILD     := $(BUILD)/kernel
HBUILD     := $(BUILD)/host
TBUILD     := $(BUILD)/tools
BINDIR     := $(BUILD)/bin

# Prefer a real cross compiler; the host gcc with freestanding flags works too.
CROSS      := $(if $(shell command -v x86_64-elf-gcc 2>/dev/null),x86_64-elf-,)
KCC        := $(CROSS)gcc
KLD        := $(CROSS)ld
KAR        := $(CROSS)ar
KOBJCOPY   := $(CROSS)objcopy
HCC        ?= gcc
HAR        ?= ar

WARNINGS   := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -Wno-unused-parameter
DEPFLAGS    = -MMD -MP
CSTD       := -std=gnu11

# Include paths are per module: each object gets MOD_INCLUDES, the include/
# directories of its module and of the modules it declares (mk/library.mk).
# Test code gets them all (ALL_INCLUDES) plus tests/mocks (TEST_INCLUDES).
ALL_INCLUDES  = $(patsubst %,-I%/include,$(ALL_MODULE_DIRS))
TEST_INCLUDES = $(ALL_INCLUDES) -Itests/mocks

# Kernel build profiles (host tests and tools are not affected):
#   PROFILE=debug    the default: -O2 with full debug info (gdb, make debug) and assert()
#   PROFILE=release  -O2, assert() compiled out (-DNDEBUG), no debug info in kernel.elf;
#                    the kernel's own symbol table (ksyms) still names backtrace frames
# Kernel objects depend on $(PROFILE_STAMP), rewritten when the profile changes, so
# switching profiles rebuilds the kernel and nothing else.
PROFILE ?= debug
ifeq ($(PROFILE),debug)
KPROFILE_DEBUG  := -g
KPROFILE_CFLAGS := -O2 -g
KPROFILE_LDFLAGS :=
else ifeq ($(PROFILE),release)
KPROFILE_DEBUG  :=
KPROFILE_CFLAGS := -O2 -DNDEBUG
KPROFILE_LDFLAGS := --strip-debug
else
$(error PROFILE must be debug or release, not "$(PROFILE)")
endif
PROFILE_STAMP := $(KBUILD)/profile
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p $(KBUILD) && { [ "$$(cat $(PROFILE_STAMP) 2>/dev/null)" = "$(PROFILE)" ] || \
    echo $(PROFILE) > $(PROFILE_STAMP); })
endif

# The kernel sees only the compiler's freestanding headers (stdint.h, stddef.h,
# stdarg.h, stdbool.h) and libk's C string header, never the host C library.
# libk/libc is the kernel's "C library": every freestanding module may use it,
# as a hosted module uses <string.h>, whatever it declares.
KINCLUDES  := -nostdinc -isystem $(shell $(KCC) -print-file-name=include) -isystem libk/libc
KCFLAGS    := $(CSTD) $(WARNINGS) $(KINCLUDES) $(KPROFILE_CFLAGS) -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
              -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mcmodel=kernel -nostdlib \
              -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
              -mgeneral-regs-only
KASFLAGS   := $(KINCLUDES) $(KPROFILE_DEBUG) -fno-pic -fno-pie -mcmodel=kernel -D__ASSEMBLY__
KLDFLAGS   := -nostdlib -n -z max-page-size=0x1000 --no-warn-rwx-segments $(KPROFILE_LDFLAGS)

SANITIZE   := -fsanitize=address,undefined -fno-sanitize-recover=all
HCFLAGS    := $(CSTD) $(WARNINGS) -O1 -g -fno-omit-frame-pointer $(SANITIZE) --coverage \
              -D_GNU_SOURCE
HLDFLAGS   := $(SANITIZE) --coverage
# Host programs (tools/, benchmarks): optimised, no sanitizers or coverage.
TCFLAGS    := $(CSTD) $(WARNINGS) -O2 -g -D_GNU_SOURCE
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

# Quiet output unless V=1.
ifeq ($(V),1)
Q :=
else
Q := @
endif
