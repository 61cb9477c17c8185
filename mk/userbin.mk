# mk/userbin.mk - the core utilities: POSIX programs in user/bin/, one source
# file each, linked with /bin/sh and the SFS tools into one static musl
# program, kbox (mk/userbox.mk; user/README.md, "One program, many names").
# The same file runs on Kestrel and on the Linux host.
#
#   build/user/bin/kbox   the multi-call program (what the initrd holds)
#   build/user/bin/NAME   a symbolic link NAME -> kbox per program
#   make userbin          all of them
#   make check-user       tests/user/: each utility run on the host through its
#                         link, against expected output and the host's own
#                         tools; and tests/sh/ against kbox's /bin/sh
#
# Adding a utility: user/bin/NAME.c with an ordinary
# `int main(int argc, char **argv)`, and NAME in one of the two lists below.

USERBIN_PROGS := cat echo true false mkdir rmdir rm mv cp ln touch wc head tail tee \
                 sort uniq grep sleep env basename dirname hexdump crc32 stat ls \
                 df du tree kill ps free uptime uname date sync lspci dmesg clear which \
                 dd write yes chmod chown mkfifo
# System programs: installed in the initrd's /sbin.
USERSBIN_PROGS := init mount umount shutdown reboot
# fsck.sfs and mkfs.sfs for Kestrel: the host tools of tools/ and libsfs,
# compiled again with musl (/sbin/fsck.sfs, /sbin/mkfs.sfs).
USERSFS_TOOLS  := fsck mkfs

USERBIN_OBJ   := $(BUILD)/user/obj
USERBIN_LIBS  := util tree system power mode

.PHONY: check-user
check-user: userbin
	$(Q)USERBIN=$(abspath $(BUILD)/user/bin) $(PYTHON) -m unittest discover \
	    -s tests/user -p 'test_*.py' -v
	$(Q)SH_BINS="$(abspath $(BUILD)/user/bin/sh)" $(PYTHON) -m unittest discover \
	    -s tests/sh -p 'test_*.py' -v
