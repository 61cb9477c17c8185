/*
 * sfs_fuse_cred.c - sfs-fuse's view of the caller's credentials, for the
 * few rules the kernel leaves to a FUSE daemon: which privileges (set-user-ID,
 * set-group-ID) a write or an open(O_TRUNC) removes.
 *
 * The caller is fuse_req_ctx()'s fsuid and fsgid, and its supplementary
 * groups from fuse_req_getgroups(); capabilities are not visible, so uid 0
 * stands for CAP_FSETID. Interface: sfs_fuse_kill_privs() (sfs_fuse.h).
 */
#include "sfs_fuse.h"
#include <sys/stat.h>

/* Is the caller of @req in group @gid (its fsgid or a supplementary group)? */
static int in_group(fuse_req_t req, uint32_t gid)
{
    if (fuse_req_ctx(req)->gid == gid)
        return 1;
    gid_t list[64];
    int n = fuse_req_getgroups(req, 64, list);
    for (int i = 0; i < n && i < 64; i++)
        if (list[i] == gid)
            return 1;
    return 0;
}

/*
 * Linux's rule for a write or a truncate by a caller without CAP_FSETID
 * (here: any uid but 0, the daemon cannot see capabilities): set-user-ID
 * goes, and set-group-ID when the file is group-executable or the caller is
 * not in its group. The kernel does this itself for a cached write and for a
 * truncate by name, but not for open(O_TRUNC), which it leaves to the daemon
 * (atomic O_TRUNC), nor for a direct_io write. Adds the new mode to @sa.
 * Returns 0 or a libsfs error.
 */
int sfs_fuse_kill_privs(fuse_req_t req, struct sfs_fuse *sf, uint32_t ino, struct sfs_setattr *sa)
{
    if (fuse_req_ctx(req)->uid == 0)
        return 0;
    struct sfs_stat st;
    int r = sfs_stat_ino(&sf->fs, ino, &st);
    if (r < 0 || (st.mode & SFS_S_IFMT) != SFS_S_IFREG || !(st.mode & (S_ISUID | S_ISGID)))
        return r;
    uint32_t mode = st.mode & 07777 & ~(uint32_t)S_ISUID;
    if ((mode & S_ISGID) && ((mode & S_IXGRP) || !in_group(req, st.gid)))
        mode &= ~(uint32_t)S_ISGID;
    if (mode != (st.mode & 07777)) {
        sa->valid |= SFS_SET_MODE;
        sa->mode = mode;
    }
    return 0;
}
