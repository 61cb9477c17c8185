# tools/: host programs built on libsfs (build/bin/mkfs.sfs, fsck.sfs, sfs).
# Each links its own object, the shared image backend and the optimised libsfs.

SFS_TOOL_COMMON := $(TBUILD)/tools/sfs_image.c.o

define sfs-tool
$$(BINDIR)/$(1): $$(TBUILD)/tools/$(2).c.o $$(SFS_TOOL_COMMON) $$(TBUILD)/libsfs.a
	@mkdir -p $$(@D)
	$$(Q)echo "  LD      $$@"
	$$(Q)$$(HCC) -o $$@ $$(TBUILD)/tools/$(2).c.o $$(SFS_TOOL_COMMON) $$(TBUILD)/libsfs.a

TOOL_BINS += $$(BINDIR)/$(1)
ALL_OBJS += $$(TBUILD)/tools/$(2).c.o
endef

$(eval $(call sfs-tool,mkfs.sfs,mkfs_sfs))
$(eval $(call sfs-tool,fsck.sfs,fsck_sfs))
$(eval $(call sfs-tool,sfs,sfs_tool))
ALL_OBJS += $(SFS_TOOL_COMMON)
# The tools use libsfs and nothing else of ours.
$(TBUILD)/tools/%.o: MOD_INCLUDES = $(sfs_INCLUDES)

.PHONY: sfs-tools
sfs-tools: $(BINDIR)/mkfs.sfs $(BINDIR)/fsck.sfs $(BINDIR)/sfs

# sfs-fuse: the SFS image through FUSE (libfuse3's low-level API; docs/fuse.md).
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
FUSE_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3 -lpthread)
SFS_FUSE_OBJS := $(TBUILD)/tools/sfs_fuse.c.o $(TBUILD)/tools/sfs_fuse_ops.c.o \
                 $(TBUILD)/tools/sfs_fuse_nodes.c.o \
                 $(TBUILD)/tools/sfs_fuse_cred.c.o
$(SFS_FUSE_OBJS): MOD_INCLUDES = $(sfs_INCLUDES) $(FUSE_CFLAGS)
$(BINDIR)/sfs-fuse: $(SFS_FUSE_OBJS) $(SFS_TOOL_COMMON) $(TBUILD)/libsfs.a
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) -o $@ $(SFS_FUSE_OBJS) $(SFS_TOOL_COMMON) $(TBUILD)/libsfs.a $(FUSE_LIBS)
TOOL_BINS += $(BINDIR)/sfs-fuse
ALL_OBJS += $(SFS_FUSE_OBJS)
