/*
 * virtqueue.c - split virtqueues (dev/virtqueue.h).
 *
 * Layer: between a virtio transport (which rings the doorbell) and a virtio
 * driver (which builds chains). Interface: virtqueue_init/destroy, _add, _kick,
 * _get_used, _has_used, _set_interrupts.
 *
 * Memory ordering (the device is another observer of the rings):
 * - add: descriptors and the ring slot are written, then a release store
 *   publishes avail->idx, so the device never sees an index before its entry;
 * - kick: a full barrier between that store and reading used->flags, so we never
 *   skip a doorbell the device asked for after seeing our old index;
 * - get_used: an acquire load of used->idx before reading the element.
 * Locking: none inside; the driver serialises calls on a queue.
 */
#include <k/errno.h>
#include <dev/virtqueue.h>
#include <string.h>

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static size_t used_offset(uint16_t size)
{
    /* desc table, then avail (flags, idx, ring[size], used_event). */
    return align_up(16u * size + 6u + 2u * size, VIRTQ_LEGACY_ALIGN);
}

size_t virtqueue_ring_bytes(uint16_t size)
{
    /* used: flags, idx, ring[size], avail_event */
    return align_up(used_offset(size) + 6u + 8u * size, VIRTQ_LEGACY_ALIGN);
}

int virtqueue_init(struct virtqueue *vq, uint16_t index, uint16_t size, struct dma_pool *pool)
{
    if (!vq || !pool || size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
        return -EINVAL;
    memset(vq, 0, sizeof(*vq));
    size_t ring = virtqueue_ring_bytes(size);
    size_t total = dma_round(ring + sizeof(void *) * size);
    uint64_t phys;
    void *mem;
    int err = dma_alloc(pool, total, &phys, &mem);
    if (err)
        return err;
    vq->pool = pool;
    vq->mem = mem;
    vq->mem_phys = phys;
    vq->mem_size = total;
    vq->index = index;
    vq->size = size;
    vq->desc = mem;
    vq->desc_phys = phys;
    vq->avail = (struct virtq_avail *)((uint8_t *)mem + 16u * size);
    vq->avail_phys = phys + 16u * size;
    vq->used = (struct virtq_used *)((uint8_t *)mem + used_offset(size));
    vq->used_phys = phys + used_offset(size);
    vq->tokens = (void **)((uint8_t *)mem + ring);
    for (uint16_t i = 0; i < size; i++)
        vq->desc[i].next = (uint16_t)(i + 1);
    vq->free_head = 0;
    vq->num_free = size;
    return 0;
}

void virtqueue_destroy(struct virtqueue *vq)
{
    if (vq->mem)
        dma_free(vq->pool, vq->mem_phys, vq->mem, vq->mem_size);
    vq->mem = NULL;
    vq->desc = NULL;
    vq->avail = NULL;
    vq->used = NULL;
    vq->tokens = NULL;
    vq->num_free = 0;
}

int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned out_n, unsigned in_n,
                  void *token)
{
    unsigned n = out_n + in_n;
    if (n == 0 || !token || !bufs)
        return -EINVAL;
    if (n > vq->num_free)
        return -ENOSPC;
    uint16_t head = vq->free_head;
    uint16_t idx = head;
    for (unsigned i = 0; i < n; i++) {
        struct virtq_desc *d = &vq->desc[idx];
        d->addr = bufs[i].phys;
        d->len = bufs[i].len;
        d->flags =
            (uint16_t)((i >= out_n ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        /* d->next already links to the next free descriptor: that is the chain. */
        idx = d->next;
    }
    vq->free_head = idx;
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->tokens[head] = token;
    uint16_t avail_idx = vq->avail->idx;
    vq->avail->ring[avail_idx & (vq->size - 1)] = head;
    __atomic_store_n(&vq->avail->idx, (uint16_t)(avail_idx + 1), __ATOMIC_RELEASE);
    return 0;
}

bool virtqueue_kick(struct virtqueue *vq)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY)
        return false;
    vq->kicks++;
    if (vq->notify)
        vq->notify(vq);
    return true;
}

bool virtqueue_has_used(const struct virtqueue *vq)
{
    return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) != vq->last_used;
}

/* Put the chain starting at @head back on the free list. */
static void free_chain(struct virtqueue *vq, uint16_t head)
{
    uint16_t idx = head;
    uint16_t n = 1;
    /* Bounded: a corrupted NEXT loop cannot spin forever. */
    while ((vq->desc[idx].flags & VIRTQ_DESC_F_NEXT) && n < vq->size) {
        idx = vq->desc[idx].next & (vq->size - 1);
        n++;
    }
    vq->desc[idx].next = vq->free_head;
    vq->free_head = head;
    vq->num_free = (uint16_t)(vq->num_free + n);
}

void *virtqueue_get_used(struct virtqueue *vq, uint32_t *len)
{
    while (virtqueue_has_used(vq)) {
        struct virtq_used_elem e = vq->used->ring[vq->last_used & (vq->size - 1)];
        vq->last_used++;
        if (e.id >= vq->size || !vq->tokens[e.id]) {
            vq->bad_used++; /* a device bug: not a chain we gave it */
            continue;
        }
        void *token = vq->tokens[e.id];
        vq->tokens[e.id] = NULL;
        free_chain(vq, (uint16_t)e.id);
        if (len)
            *len = e.len;
        return token;
    }
    return NULL;
}

void virtqueue_set_interrupts(struct virtqueue *vq, bool on)
{
    uint16_t f = vq->avail->flags;
    f = on ? (uint16_t)(f & ~VIRTQ_AVAIL_F_NO_INTERRUPT)
           : (uint16_t)(f | VIRTQ_AVAIL_F_NO_INTERRUPT);
    __atomic_store_n(&vq->avail->flags, f, __ATOMIC_RELEASE);
}
