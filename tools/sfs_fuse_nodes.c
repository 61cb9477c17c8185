/*
 * sfs_fuse_nodes.c - sfs-fuse's table of the inodes the kernel knows: the
 * kernel's lookup count of each, and the libsfs reference that keeps one
 * alive once it may have lost its last name (sfs_fuse.h). A hash table by
 * inode number that doubles its buckets as it fills; one thread, no lock.
 */
#include "sfs_fuse.h"
#include <errno.h>
#include <stdlib.h>

static uint32_t bucket(const struct sfs_fuse *sf, uint32_t ino)
{
    return (ino * 2654435761u) & (sf->nbuckets - 1);
}

int sfs_fuse_nodes_init(struct sfs_fuse *sf)
{
    sf->nbuckets = 1024;
    sf->nnodes = 0;
    sf->nodes = calloc(sf->nbuckets, sizeof(*sf->nodes));
    return sf->nodes ? 0 : -ENOMEM;
}

void sfs_fuse_nodes_free(struct sfs_fuse *sf)
{
    for (uint32_t b = 0; sf->nodes && b < sf->nbuckets; b++) {
        while (sf->nodes[b]) {
            struct sfs_fuse_node *n = sf->nodes[b];
            sf->nodes[b] = n->next;
            free(n);
        }
    }
    free(sf->nodes);
    sf->nodes = NULL;
    free(sf->buf);
    sf->buf = NULL;
}

struct sfs_fuse_node *sfs_fuse_node_find(const struct sfs_fuse *sf, uint32_t ino)
{
    for (struct sfs_fuse_node *n = sf->nodes[bucket(sf, ino)]; n; n = n->next)
        if (n->ino == ino)
            return n;
    return NULL;
}

/* Double the buckets when chains grow past two nodes on average; a failed
 * allocation just keeps the longer chains. */
static void nodes_grow(struct sfs_fuse *sf)
{
    uint32_t old = sf->nbuckets;
    struct sfs_fuse_node **o = sf->nodes, **nb = calloc(2 * (size_t)old, sizeof(*nb));
    if (!nb)
        return;
    sf->nodes = nb;
    sf->nbuckets = 2 * old;
    for (uint32_t b = 0; b < old; b++) {
        while (o[b]) {
            struct sfs_fuse_node *n = o[b];
            o[b] = n->next;
            n->next = nb[bucket(sf, n->ino)];
            nb[bucket(sf, n->ino)] = n;
        }
    }
    free(o);
}

int sfs_fuse_node_ref(struct sfs_fuse *sf, uint32_t ino)
{
    if (ino == SFS_ROOT_INO)
        return 0;
    struct sfs_fuse_node *n = sfs_fuse_node_find(sf, ino);
    if (!n) {
        n = calloc(1, sizeof(*n));
        if (!n)
            return -ENOMEM;
        n->ino = ino;
        n->next = sf->nodes[bucket(sf, ino)];
        sf->nodes[bucket(sf, ino)] = n;
        if (++sf->nnodes > 2 * sf->nbuckets)
            nodes_grow(sf);
    }
    n->nlookup++;
    return 0;
}

void sfs_fuse_node_forget(struct sfs_fuse *sf, uint32_t ino, uint64_t count)
{
    struct sfs_fuse_node **pp = &sf->nodes[bucket(sf, ino)];
    while (*pp && (*pp)->ino != ino)
        pp = &(*pp)->next;
    struct sfs_fuse_node *n = *pp;
    if (!n)
        return;
    n->nlookup = count >= n->nlookup ? 0 : n->nlookup - count;
    if (n->nlookup)
        return;
    if (n->held) {
        sf->dirty = 1;
        (void)sfs_iput(&sf->fs, &n->ref); /* an error here is the next call's EIO */
    }
    *pp = n->next;
    sf->nnodes--;
    free(n);
}
