/*
 * sfs_fuse.h - sfs-fuse's private interface between its files: the
 * program (sfs_fuse.c: options, mount, the session loop, periodic commits),
 * the node table (sfs_fuse_nodes.c), the operations (sfs_fuse_ops.c:
 * libfuse3's low-level callbacks on libsfs's inode API) and the caller's
 * credentials (sfs_fuse_cred.c).
 *
 * Identity: a FUSE node id is an SFS inode number (FUSE_ROOT_ID is
 * SFS_ROOT_INO, both 1). The kernel's lookup count of each inode it knows is
 * kept in a hash table of struct sfs_fuse_node. An inode the kernel still
 * knows is never freed: when its last name goes (unlink, rmdir, or a rename
 * over it) the node first takes a libsfs reference (sfs_iget()), so the inode
 * becomes an orphan that lives until the kernel's forget; its number cannot
 * be reused meanwhile.
 *
 * Threading: none. One thread runs the session loop and every callback, so
 * libsfs (which serialises nothing by itself) and the node table need no lock.
 */
#ifndef TOOLS_SFS_FUSE_H
#define TOOLS_SFS_FUSE_H

#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <sfs/sfs.h>
#include <stdint.h>

/* One inode the kernel knows: its lookup count and, once it may have lost its
 * last name, the reference that keeps it alive. */
struct sfs_fuse_node {
    uint32_t ino;
    int held;                   /* ref is an sfs_iget() reference */
    uint64_t nlookup;           /* the kernel's lookup count */
    struct sfs_file ref;        /* valid while held */
    struct sfs_fuse_node *next; /* hash chain */
};

/* The mounted volume and the daemon's state. */
struct sfs_fuse {
    struct sfs fs;
    int direct_io;                /* -o direct_io: every open file bypasses the page cache */
    int rdonly;                   /* -o ro */
    int dirty;                    /* a changing call ran since the last commit */
    int io_error;                 /* libsfs reported SFS_EIO at least once */
    double timeout;               /* attribute and entry cache timeout, seconds */
    struct sfs_fuse_node **nodes; /* hash by inode, nbuckets entries */
    uint32_t nbuckets;
    uint32_t nnodes;
    char *buf; /* read buffer (one thread: one buffer) */
    size_t buf_size;
};

/* The low-level operations; userdata is a struct sfs_fuse. */
extern const struct fuse_lowlevel_ops sfs_fuse_ops;

/* Allocate the node table. Returns 0 or -ENOMEM. */
int sfs_fuse_nodes_init(struct sfs_fuse *sf);
/* Free the node table (after sfs_unmount(), which has closed the references). */
void sfs_fuse_nodes_free(struct sfs_fuse *sf);
/* The node of @ino, or NULL when the kernel does not know it. */
struct sfs_fuse_node *sfs_fuse_node_find(const struct sfs_fuse *sf, uint32_t ino);
/* Count one kernel lookup of @ino (the root, never forgotten, is not counted).
 * Returns 0 or -ENOMEM. */
int sfs_fuse_node_ref(struct sfs_fuse *sf, uint32_t ino);
/* The kernel forgets @count lookups of @ino; at zero the node goes, and with it
 * the reference that kept an unlinked inode alive (sfs_iput()). */
void sfs_fuse_node_forget(struct sfs_fuse *sf, uint32_t ino, uint64_t count);

/* Clear set-user-ID and set-group-ID of regular file @ino through @sa (adds
 * SFS_SET_MODE) as Linux does for a write or truncate by @req's caller
 * (sfs_fuse_cred.c). Returns 0 or a libsfs error. */
int sfs_fuse_kill_privs(fuse_req_t req, struct sfs_fuse *sf, uint32_t ino, struct sfs_setattr *sa);

#endif
