/**
 * @file dev/virtio_blk.h
 * @brief virtio-blk over virtio-pci, exposed as a `struct block_device`.
 *
 * Each request is a chain of three parts: a 16-byte header (type, sector) the
 * device reads, the data (read by the device for writes, written by it for
 * reads) and a status byte the device writes. The device reads or writes the
 * caller's buffer in place, through a scatter-gather list (dma_sg_build()), when
 * the platform can translate it (env->translate) and it fits the device's
 * segment limits; otherwise the data goes through the request's bounce buffer in
 * DMA memory (its "slot"), so callers may pass any buffer.
 *
 * An in-place request that times out cannot be taken back from the device the
 * way a bounce buffer can (the device might write the caller's memory later), so
 * the driver resets the device: every request in flight fails with -EIO, and so
 * does every later one (`dead`).
 *
 * Requests come asynchronously (block_submit(): one request, at most
 * `bdev.max_request` blocks, in one slot; -EAGAIN when every slot or too many
 * descriptors are taken) or synchronously (block_read() and friends: a transfer
 * split into requests of at most the device's limits (SEG_MAX segments of at most
 * SIZE_MAX bytes) and the slot size, submitted and waited for as a batch). Up to
 * VIRTIO_BLK_SLOTS requests are in flight at once and may complete in any order;
 * each has its own result. Completions are collected by virtio_blk_irq() (from the
 * PCI interrupt) or, when no interrupt arrives, by a waiter polling the used ring.
 * A request that has not completed within the timeout completes with -ETIMEDOUT
 * (a synchronous transfer fails with it); its slot stays reserved until the
 * device hands it back, so the device never writes into reused memory.
 *
 * Status IOERR gives -EIO, UNSUPP -ENOSYS; a range beyond the capacity is
 * refused with -ENXIO before reaching the device (block.h has the table).
 *
 * Locking: `lock` (interrupt-safe: the completion interrupt takes it) protects
 * the queue, `chain` and the slots' `state`, and the counters `requests`,
 * `errors`, `timeouts`, `late`, `direct` and `bounced`; it is never held while
 * waiting, copying or completing, so several threads may have transfers in
 * flight. A slot that is BUSY (between claim and queueing) or COMPLETING belongs
 * to the one thread that moved it there, which fills or finishes it unlocked.
 * Lockless readers: `state` and `vq.num_free` are read with atomic loads as
 * hints before taking the lock (the claim re-checks under it); `dead` is an
 * atomic flag. `interrupts` is written only by the interrupt handler (the big
 * kernel lock serialises it). Set-up and shutdown run before the device is
 * shared or after it no longer is.
 */
#ifndef DEV_VIRTIO_BLK_H
#define DEV_VIRTIO_BLK_H

#include <arch/spinlock.h>
#include <dev/block.h>
#include <dev/device.h>
#include <dev/irq.h>
#include <dev/virtio.h>
#include <dev/wait.h>
#include <stdbool.h>
#include <stdint.h>

/** @name Feature bits */
/** @{ */
#define VIRTIO_BLK_F_SIZE_MAX 1 /**< size_max is valid. */
#define VIRTIO_BLK_F_SEG_MAX  2 /**< seg_max is valid. */
#define VIRTIO_BLK_F_RO       5 /**< Read-only device. */
#define VIRTIO_BLK_F_BLK_SIZE 6 /**< blk_size is valid. */
#define VIRTIO_BLK_F_FLUSH    9 /**< Flush command supported. */
/** @} */

/** @name Configuration offsets */
/** @{ */
#define VIRTIO_BLK_CFG_CAPACITY 0  /**< 512-byte sectors (64). */
#define VIRTIO_BLK_CFG_SIZE_MAX 8  /**< Largest segment (32). */
#define VIRTIO_BLK_CFG_SEG_MAX  12 /**< Most segments per request (32). */
#define VIRTIO_BLK_CFG_BLK_SIZE 20 /**< Logical block size (32). */
/** @} */

/** @name Request types and status */
/** @{ */
#define VIRTIO_BLK_T_IN     0 /**< Read. */
#define VIRTIO_BLK_T_OUT    1 /**< Write. */
#define VIRTIO_BLK_T_FLUSH  4 /**< Flush. */
#define VIRTIO_BLK_S_OK     0 /**< Success. */
#define VIRTIO_BLK_S_IOERR  1 /**< Device error. */
#define VIRTIO_BLK_S_UNSUPP 2 /**< Unsupported request. */
/** @} */

#define VIRTIO_BLK_SECTOR       512          /**< The protocol's sector size. */
#define VIRTIO_BLK_SLOTS        16           /**< Requests in flight per device. */
#define VIRTIO_BLK_MAX_SEGS     128          /**< Data segments per request we build. */
#define VIRTIO_BLK_DEFAULT_SLOT (64u * 1024) /**< Default bounce buffer per slot. */

/** @brief The request header (device-readable). */
struct virtio_blk_req_hdr {
    uint32_t type;     /**< VIRTIO_BLK_T_*. */
    uint32_t reserved; /**< Zero. */
    uint64_t sector;   /**< First 512-byte sector. */
};

/** @brief Tunables; zeroed fields take defaults. */
struct virtio_blk_options {
    uint32_t slot_bytes; /**< Bounce buffer per slot (default 64 KiB, page multiple). */
    uint16_t slots;      /**< Slots to use, 1..VIRTIO_BLK_SLOTS (default all). */
    uint16_t queue_size; /**< Largest queue (default 256). */
    uint32_t timeout_ms; /**< Per-wait bound (default 5000). */
    dev_wait_fn wait;    /**< Waiter (default dev_wait_poll). */
    void *wait_ctx;      /**< Its context. */
    /**
     * @brief Called (possibly in interrupt context) after requests complete, so
     * a sleeping waiter can wake its threads; NULL for none.
     * @param ctx wake_ctx
     */
    void (*wake)(void *ctx);
    void *wake_ctx; /**< For wake(). */
    bool intx_only; /**< virtio_blk_attach_irq() uses INTx even when MSI-X is offered. */
};

/** @brief Slot states. */
enum virtio_blk_slot_state {
    VBLK_SLOT_FREE = 0,   /**< Unused. */
    VBLK_SLOT_BUSY,       /**< Submitted, the device owns it. */
    VBLK_SLOT_COMPLETING, /**< Off the used ring; its collector is finishing it. */
    VBLK_SLOT_ABANDONED,  /**< Timed out: freed when the device returns it. */
};

struct virtio_blk;

/** @brief One request in flight. */
struct virtio_blk_slot {
    struct virtio_blk_req_hdr *hdr;         /**< Header (DMA). */
    uint64_t hdr_phys;                      /**< Its physical address. */
    volatile uint8_t *status;               /**< Status byte (DMA). */
    uint64_t status_phys;                   /**< Its physical address. */
    uint8_t *data;                          /**< Bounce buffer (DMA). */
    uint64_t data_phys;                     /**< Its physical address. */
    enum virtio_blk_slot_state state;       /**< Lifecycle. */
    struct virtio_blk *owner;               /**< The device it belongs to. */
    struct block_request *rq;               /**< The request in it (BUSY, COMPLETING). */
    uint32_t bytes;                         /**< Data bytes. */
    bool direct;                            /**< Data in place (sg), not in the bounce buffer. */
    uint16_t nsg;                           /**< Segments in sg. */
    struct dma_seg sg[VIRTIO_BLK_MAX_SEGS]; /**< The caller's buffer, when direct. */
};

/** @brief One virtio-blk device. */
struct virtio_blk {
    struct virtio_device vdev; /**< Transport. */
    struct virtqueue vq;       /**< Request queue 0. */
    struct dma_pool *pool;     /**< DMA memory. */
    struct block_device bdev;  /**< The interface (registered by the driver). */
    struct spinlock lock;      /**< Protects vq and slots. */
    struct virtio_blk_slot slots[VIRTIO_BLK_SLOTS];  /**< Requests. */
    uint16_t nslots;                                 /**< Slots in use. */
    uint32_t slot_bytes;                             /**< Bounce buffer size. */
    void *hdr_page;                                  /**< Headers and status bytes (DMA). */
    uint64_t hdr_page_phys;                          /**< Its physical address. */
    uint64_t capacity;                               /**< 512-byte sectors. */
    uint32_t blk_size;                               /**< Logical block size. */
    uint32_t size_max;                               /**< Largest segment (0: unlimited). */
    uint32_t seg_max;                                /**< Most data segments per request. */
    uint32_t max_req_bytes;                          /**< Largest request we build. */
    struct virtq_buf chain[VIRTIO_BLK_MAX_SEGS + 2]; /**< A chain being queued (under lock). */
    dev_wait_fn wait;                                /**< Waiter. */
    void *wait_ctx;                                  /**< Its context. */
    struct dev_poll_waiter poller; /**< Default waiter's settings (PAUSE polling). */
    void (*wake)(void *ctx);       /**< Completion notification (options.wake). */
    void *wake_ctx;                /**< For wake(). */
    uint32_t timeout_ms;           /**< Wait bound. */
    struct dev_irq_action irq;     /**< Shared-line action (irq < 0: none). */
    const struct virtio_env *env;  /**< The platform (maps the MSI-X table). */
    struct pci_msix msix;          /**< The function's MSI-X capability. */
    int msix_vector;               /**< CPU vector of the queue's MSI-X entry (-1: none). */
    bool intx_only;                /**< options.intx_only. */
    dma_translate_fn translate;    /**< env->translate: DMA in place (NULL: bounce). */
    void *translate_ctx;           /**< For translate(). */
    bool dead;                     /**< Reset after a lost in-place request: all fail. */
    uint64_t direct;               /**< Requests whose data went in place. */
    uint64_t bounced;              /**< Requests whose data went through a slot. */
    bool irq_attached;             /**< Interrupt wired. */
    uint64_t requests;             /**< Requests submitted. */
    uint64_t errors;               /**< Requests that failed. */
    uint64_t timeouts;             /**< Waits that timed out. */
    uint64_t interrupts;           /**< Interrupts that were ours. */
    uint64_t late;                 /**< Abandoned requests the device returned later. */
};

/**
 * @brief Bring a virtio-blk function up: transport, features, queue, slots.
 * Does not register the block device or wire the interrupt.
 * @param vb   the instance (caller-owned, lives while in use)
 * @param pci  the function (0x1af4:0x1001 or 0x1af4:0x1042)
 * @param env  the platform
 * @param opt  tunables, or NULL
 * @param name block device name ("vda")
 * @return 0, -ENODEV (transport or negotiation failed), -ENOMEM, -EINVAL
 */
int virtio_blk_init(struct virtio_blk *vb, struct pci_device *pci, const struct virtio_env *env,
                    const struct virtio_blk_options *opt, const char *name);

/**
 * @brief Wire the completion interrupt. With MSI-X offered, a local APIC ready
 * (arch/apic.h) and `intx_only` off: a vector of its own, through table entry 0,
 * handled without reading the ISR. Otherwise, or if that fails: the legacy line
 * to virtio_blk_irq() (shared line), unmasked. The default waiter then halts
 * until an interrupt instead of spinning (set `poller.use_hlt = false` to spin).
 * Without it the driver polls.
 * @param vb the device
 * @return 0, -ENXIO (no MSI-X and no usable line), or an error from dev_irq_attach()
 */
int virtio_blk_attach_irq(struct virtio_blk *vb);

/**
 * @brief The interrupt handler: read the ISR status and collect completions.
 * @param vb the device
 * @return the ISR bits (0: the interrupt was not ours)
 */
uint8_t virtio_blk_irq(struct virtio_blk *vb);

/**
 * @brief Collect completions from the used ring (the interrupt handler's work,
 * and the polling fallback): copy read data out, complete the requests (their
 * done() callbacks run here), then call the wake hook.
 * @param vb the device
 * @return requests completed
 */
int virtio_blk_poll(struct virtio_blk *vb);

/**
 * @brief Stop the device: reset it, detach the interrupt, free the queue and
 * every DMA buffer.
 * @param vb the device (unregister its block device first)
 */
void virtio_blk_shutdown(struct virtio_blk *vb);

/** @brief The block-device ops of virtio-blk (ctx is the struct virtio_blk). */
extern const struct block_ops virtio_blk_ops;

/** @brief A PCI driver for virtio-blk backed by a fixed array of instances. */
struct virtio_blk_driver {
    struct driver drv;             /**< Registered on the PCI bus. */
    struct virtio_blk *instances;  /**< Storage for bound devices (caller-owned). */
    size_t max;                    /**< Its length. */
    size_t used;                   /**< Instances bound. */
    const struct virtio_env *env;  /**< The platform. */
    struct virtio_blk_options opt; /**< Tunables for every instance. */
    bool use_irq;                  /**< Wire interrupts at probe time. */
};

/**
 * @brief Set up the PCI driver; register it with driver_register(bus, &d->drv).
 * Each probe initialises the next instance, wires its interrupt if asked and
 * registers its block device as "vda", "vdb", ...
 * @param d         the driver (caller-owned)
 * @param instances storage for bound devices
 * @param max       its length
 * @param env       the platform (must outlive the driver)
 * @param opt       tunables, or NULL
 * @param use_irq   wire interrupts
 */
void virtio_blk_driver_init(struct virtio_blk_driver *d, struct virtio_blk *instances, size_t max,
                            const struct virtio_env *env, const struct virtio_blk_options *opt,
                            bool use_irq);

#endif
