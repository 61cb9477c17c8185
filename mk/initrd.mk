# mk/initrd.mk - the initrd: a cpio newc archive that GRUB loads as a
# multiboot2 module ("initrd") and the kernel unpacks into /bin, /etc, ...
# (docs/architecture.md, "File systems"). Written by mk/mkinitrd.py (standard
# Python, no cpio package needed).
#
#   build/initrd.cpio   bin/ = the core utilities of mk/userbin.mk and
#                       the shell of mk/sh.mk,
#                       etc/motd = a welcome naming the kernel's version
#   make initrd         just the archive

INITRD      := $(BUILD)/initrd.cpio
INITRD_DEPS := $(USERBIN_BINS) $(SH_MUSL) mk/mkinitrd.py kernel/include/kernel/version.h

$(INITRD): $(INITRD_DEPS)
	@mkdir -p $(@D)
	$(Q)echo "  INITRD  $@"
	$(Q)$(PYTHON) mk/mkinitrd.py $@ kernel/include/kernel/version.h \
	    $(patsubst %,bin=%,$(USERBIN_BINS) $(SH_MUSL))

.PHONY: initrd
initrd: $(INITRD)
