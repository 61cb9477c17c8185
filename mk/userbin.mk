# mk/userbin.mk - the core utilities: POSIX programs in user/bin/, static musl
# binaries built like those of mk/user.mk, so the same file runs on Kestrel
# and on the Linux host. See user/README.md.
#
#   build/user/bin/NAME   from user/bin/NAME.c and the helpers of user/lib/
#   make userbin          all of them
#   make check-user       tests/user/: each utility run on the host, against
#                         expected output and the host's own tools

USERBIN_PROGS := cat echo true false mkdir rmdir rm mv cp ln touch wc head tail tee \
                 sort uniq grep sleep env basename dirname hexdump crc32 stat ls \
                 df du tree kill ps free uptime uname date sync lspci dmesg clear which \
                 dd write yes
# System programs: built beside the others, installed in the initrd's /sbin.
USERSBIN_PROGS := init mount umount shutdown reboot
USERBIN_BINS  := $(patsubst %,$(BUILD)/user/bin/%,$(USERBIN_PROGS))
USERSBIN_BINS := $(patsubst %,$(BUILD)/user/bin/%,$(USERSBIN_PROGS))
USERBIN_OBJ   := $(BUILD)/user/obj
USERBIN_LIBOBJS := $(USERBIN_OBJ)/lib/util.o $(USERBIN_OBJ)/lib/tree.o \
                   $(USERBIN_OBJ)/lib/system.o $(USERBIN_OBJ)/lib/power.o
# An archive, so each program links only the helpers it uses.
USERBIN_LIB   := $(USERBIN_OBJ)/libuser.a
USERBIN_OBJS  := $(patsubst %,$(USERBIN_OBJ)/bin/%.o,$(USERBIN_PROGS) $(USERSBIN_PROGS)) \
                 $(USERBIN_LIBOBJS)

# Keep the objects: they are intermediate files, which make would delete.
.SECONDARY: $(USERBIN_OBJS)

$(USERBIN_OBJ)/%.o: user/%.c
	@mkdir -p $(@D)
	$(Q)echo "  MUSLCC  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) $(DEPFLAGS) -Iuser/lib -c -o $@ $<

$(USERBIN_LIB): $(USERBIN_LIBOBJS)
	$(Q)rm -f $@
	$(Q)$(HAR) rcs $@ $^

$(BUILD)/user/bin/%: $(USERBIN_OBJ)/bin/%.o $(USERBIN_LIB)
	@mkdir -p $(@D)
	$(Q)echo "  MUSLLD  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) -o $@ $^

# fsck.sfs and mkfs.sfs for Kestrel: the host tools of tools/ and libsfs,
# compiled again with musl-gcc. libsfs sees only its own headers, as in every
# other build (it depends on nothing); the tools see libsfs's.
#   build/user/bin/fsck.sfs, mkfs.sfs    /sbin/fsck.sfs, /sbin/mkfs.sfs
#   build/user/bin/fsck, mkfs            symbolic links to them
USERSFS_OBJ     := $(USERBIN_OBJ)/sfs
USERSFS_LIBOBJS := $(patsubst %.c,$(USERSFS_OBJ)/%.o,$(sfs_HOST_SRCS))
USERSFS_LIB     := $(USERSFS_OBJ)/libsfs.a
USERSFS_TOOLS   := fsck mkfs
USERSFS_BINS    := $(patsubst %,$(BUILD)/user/bin/%.sfs,$(USERSFS_TOOLS))
USERSFS_LINKS   := $(patsubst %,$(BUILD)/user/bin/%,$(USERSFS_TOOLS))
USERBIN_OBJS    += $(USERSFS_LIBOBJS) $(patsubst %,$(USERSFS_OBJ)/tools/%_sfs.o,$(USERSFS_TOOLS)) \
                   $(USERSFS_OBJ)/tools/sfs_image.o

$(USERSFS_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  MUSLCC  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) $(CSTD) $(DEPFLAGS) $(sfs_INCLUDES) -c -o $@ $<

$(USERSFS_LIB): $(USERSFS_LIBOBJS)
	$(Q)rm -f $@
	$(Q)$(HAR) rcs $@ $^

$(USERSFS_BINS): $(BUILD)/user/bin/%.sfs: $(USERSFS_OBJ)/tools/%_sfs.o \
                 $(USERSFS_OBJ)/tools/sfs_image.o $(USERSFS_LIB)
	@mkdir -p $(@D)
	$(Q)echo "  MUSLLD  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) -o $@ $^

$(USERSFS_LINKS): $(BUILD)/user/bin/%: $(BUILD)/user/bin/%.sfs
	$(Q)ln -sf $*.sfs $@

-include $(USERBIN_OBJS:.o=.d)

.PHONY: userbin check-user
userbin: $(USERBIN_BINS) $(USERSBIN_BINS) $(USERSFS_BINS) $(USERSFS_LINKS)

check-user: $(USERBIN_BINS) $(USERSBIN_BINS) $(USERSFS_BINS) $(USERSFS_LINKS)
	$(Q)USERBIN=$(abspath $(BUILD)/user/bin) $(PYTHON) -m unittest discover \
	    -s tests/user -p 'test_*.py' -v
