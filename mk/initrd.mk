# mk/initrd.mk - the initrd: a cpio newc archive that GRUB loads as a
# multiboot2 module ("initrd") and the kernel unpacks into /bin, /etc, ...
# (docs/architecture.md, "File systems"). Written by mk/mkinitrd.py (standard
# Python, no cpio package needed).
#
#   build/initrd.cpio   bin/kbox = the multi-call program of mk/userbox.mk,
#                       bin/NAME -> kbox for each core utility and sh,
#                       sbin/NAME -> /bin/kbox for the system programs (init
#                       mount umount shutdown reboot fsck.sfs mkfs.sfs),
#                       the other names: sbin/fsck -> fsck.sfs, mkfs ->
#                       mkfs.sfs, poweroff and halt -> shutdown, bin/log ->
#                       dmesg (the first seed's name),
#                       etc/motd = a welcome naming the kernel's version,
#                       etc/fstab = what init mounts (/proc, /tmp),
#                       etc/passwd, etc/group = root, the one user
#   make initrd         just the archive

INITRD      := $(BUILD)/initrd.cpio
INITRD_DEPS := $(KBOX) mk/mkinitrd.py kernel/include/kernel/version.h
INITRD_LINKS := $(patsubst %,link:bin/%=kbox,$(KBOX_BIN_PROGS)) \
                $(patsubst %,link:sbin/%=/bin/kbox,$(KBOX_SBIN_PROGS)) \
                $(patsubst %,link:%,$(KBOX_ALIASES))

$(INITRD): $(INITRD_DEPS)
	@mkdir -p $(@D)
	$(Q)echo "  INITRD  $@"
	$(Q)$(PYTHON) mk/mkinitrd.py $@ kernel/include/kernel/version.h bin=$(KBOX) $(INITRD_LINKS)

.PHONY: initrd
initrd: $(INITRD)
