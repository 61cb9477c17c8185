# mk/initrd.mk - the initrd: a cpio newc archive that GRUB loads as a
# multiboot2 module ("initrd") and the kernel unpacks into /bin, /etc, ...
# (docs/architecture.md, "File systems"). Written by mk/mkinitrd.py (standard
# Python, no cpio package needed).
#
#   build/initrd.cpio   bin/ = the core utilities of mk/userbin.mk and
#                       the shell of mk/sh.mk,
#                       sbin/ = the system programs (init mount umount
#                       shutdown reboot fsck.sfs mkfs.sfs, and the links fsck
#                       mkfs poweroff halt, and bin/log: the first seed's name
#                       for dmesg),
#                       etc/motd = a welcome naming the kernel's version,
#                       etc/fstab = what init mounts (/proc, /tmp)
#   make initrd         just the archive

INITRD      := $(BUILD)/initrd.cpio
INITRD_DEPS := $(USERBIN_BINS) $(SH_MUSL) $(USERSBIN_BINS) $(USERSFS_BINS) mk/mkinitrd.py \
               kernel/include/kernel/version.h
INITRD_LINKS := link:sbin/fsck=fsck.sfs link:sbin/mkfs=mkfs.sfs link:sbin/poweroff=shutdown \
                link:sbin/halt=shutdown link:bin/log=dmesg

$(INITRD): $(INITRD_DEPS)
	@mkdir -p $(@D)
	$(Q)echo "  INITRD  $@"
	$(Q)$(PYTHON) mk/mkinitrd.py $@ kernel/include/kernel/version.h \
	    $(patsubst %,bin=%,$(USERBIN_BINS) $(SH_MUSL)) \
	    $(patsubst %,sbin=%,$(USERSBIN_BINS) $(USERSFS_BINS)) $(INITRD_LINKS)

.PHONY: initrd
initrd: $(INITRD)
