/**
 * @file dev/virtio.h
 * @brief The virtio-pci transport, modern (virtio 1.x) and legacy (0.9.5).
 *
 * virtio_pci_attach() looks for the vendor-specific capabilities of a modern
 * device (common configuration, notification, ISR status, device configuration)
 * and maps the BARs they point into with the platform's map_mmio(). A device
 * without them (a transitional device with `disable-modern=on`) is driven through
 * its legacy I/O BAR 0 instead. Above that the API is the same for both:
 *
 * 1. virtio_negotiate(): reset, ACKNOWLEDGE, DRIVER, read the device's features,
 *    accept only those the driver implements (a modern device must offer
 *    VIRTIO_F_VERSION_1), write them back, set FEATURES_OK and check it stuck
 *    (modern only). On failure the status gets FAILED.
 * 2. virtio_queue_setup() for each queue, then virtio_driver_ok().
 * 3. virtqueue_kick() rings the doorbell through the transport; virtio_isr_read()
 *    reads (and so clears) the interrupt status in the interrupt handler.
 *
 * Locking: a virtio_device belongs to one driver instance, which serialises calls;
 * virtio_isr_read() is safe in interrupt context.
 */
#ifndef DEV_VIRTIO_H
#define DEV_VIRTIO_H

#include <dev/dma.h>
#include <dev/mmio.h>
#include <dev/pci.h>
#include <dev/virtqueue.h>
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_PCI_VENDOR      0x1af4 /**< Red Hat / virtio. */
#define VIRTIO_PCI_LEGACY_BLK  0x1001 /**< Transitional block device. */
#define VIRTIO_PCI_MODERN_BASE 0x1040 /**< Modern devices: 0x1040 + virtio device ID. */
#define VIRTIO_ID_BLOCK        2      /**< virtio device ID of a block device. */

/** @name Device status bits */
/** @{ */
#define VIRTIO_STATUS_ACKNOWLEDGE 1   /**< The guest noticed the device. */
#define VIRTIO_STATUS_DRIVER      2   /**< The guest has a driver for it. */
#define VIRTIO_STATUS_DRIVER_OK   4   /**< The driver is ready. */
#define VIRTIO_STATUS_FEATURES_OK 8   /**< Feature negotiation complete. */
#define VIRTIO_STATUS_NEEDS_RESET 64  /**< The device hit an error. */
#define VIRTIO_STATUS_FAILED      128 /**< The driver gave up. */
/** @} */

#define VIRTIO_F_VERSION_1 32 /**< Feature bit: virtio 1.x semantics. */
#define VIRTIO_ISR_QUEUE   1  /**< ISR bit: a used buffer arrived. */
#define VIRTIO_ISR_CONFIG  2  /**< ISR bit: configuration changed. */

/** @name Modern PCI capability types (cfg_type) */
/** @{ */
#define VIRTIO_PCI_CAP_COMMON 1 /**< Common configuration. */
#define VIRTIO_PCI_CAP_NOTIFY 2 /**< Notifications. */
#define VIRTIO_PCI_CAP_ISR    3 /**< ISR status. */
#define VIRTIO_PCI_CAP_DEVICE 4 /**< Device-specific configuration. */
/** @} */

/** @name Modern common configuration offsets */
/** @{ */
#define VIRTIO_COMMON_DFSELECT 0x00 /**< device_feature_select (32). */
#define VIRTIO_COMMON_DF       0x04 /**< device_feature (32). */
#define VIRTIO_COMMON_GFSELECT 0x08 /**< driver_feature_select (32). */
#define VIRTIO_COMMON_GF       0x0c /**< driver_feature (32). */
#define VIRTIO_COMMON_MSIX     0x10 /**< msix_config (16). */
#define VIRTIO_COMMON_NUMQ     0x12 /**< num_queues (16). */
#define VIRTIO_COMMON_STATUS   0x14 /**< device_status (8). */
#define VIRTIO_COMMON_CFGGEN   0x15 /**< config_generation (8). */
#define VIRTIO_COMMON_Q_SELECT 0x16 /**< queue_select (16). */
#define VIRTIO_COMMON_Q_SIZE   0x18 /**< queue_size (16). */
#define VIRTIO_COMMON_Q_MSIX   0x1a /**< queue_msix_vector (16). */
#define VIRTIO_COMMON_Q_ENABLE 0x1c /**< queue_enable (16). */
#define VIRTIO_COMMON_Q_NOFF   0x1e /**< queue_notify_off (16). */
#define VIRTIO_COMMON_Q_DESC   0x20 /**< queue_desc (64). */
#define VIRTIO_COMMON_Q_DRIVER 0x28 /**< queue_driver, the avail ring (64). */
#define VIRTIO_COMMON_Q_DEVICE 0x30 /**< queue_device, the used ring (64). */
#define VIRTIO_COMMON_SIZE     0x38 /**< Bytes of the structure. */
/** @} */

/** @name Legacy I/O BAR registers */
/** @{ */
#define VIRTIO_LEGACY_HOST_FEATURES  0x00   /**< Device features (32). */
#define VIRTIO_LEGACY_GUEST_FEATURES 0x04   /**< Driver features (32). */
#define VIRTIO_LEGACY_QUEUE_PFN      0x08   /**< Queue address >> 12 (32). */
#define VIRTIO_LEGACY_QUEUE_SIZE     0x0c   /**< Queue size (16, read-only). */
#define VIRTIO_LEGACY_QUEUE_SELECT   0x0e   /**< Queue select (16). */
#define VIRTIO_LEGACY_QUEUE_NOTIFY   0x10   /**< Doorbell (16). */
#define VIRTIO_LEGACY_STATUS         0x12   /**< Device status (8). */
#define VIRTIO_LEGACY_ISR            0x13   /**< ISR status (8, read clears). */
#define VIRTIO_LEGACY_CONFIG         0x14   /**< Device configuration (without MSI-X). */
#define VIRTIO_LEGACY_MSIX_CONFIG    0x14   /**< With MSI-X on: config-change vector (16). */
#define VIRTIO_LEGACY_MSIX_QUEUE     0x16   /**< With MSI-X on: selected queue's vector (16). */
#define VIRTIO_LEGACY_CONFIG_MSIX    0x18   /**< Device configuration with MSI-X on. */
#define VIRTIO_MSI_NO_VECTOR         0xffff /**< "No vector": the queue does not interrupt. */
/** @} */

/** @brief What the platform provides to virtio drivers. */
struct virtio_env {
    struct dma_pool *dma; /**< DMA memory for rings and requests. */
    /**
     * @brief Map a physical MMIO range uncached into the kernel's address space.
     * @param ctx  map_ctx
     * @param phys physical address
     * @param size bytes
     * @return the CPU address, or NULL
     */
    void *(*map_mmio)(void *ctx, uint64_t phys, size_t size);
    void *map_ctx;        /**< For map_mmio(). */
    struct mmio_bus mmio; /**< Register access (ops NULL in the kernel). */
    /**
     * Where a caller's buffer lies physically, so a driver can DMA in place
     * instead of through a bounce buffer; NULL: always bounce. Must refuse
     * memory that may go away while a request is in flight (user pages).
     */
    dma_translate_fn translate;
    void *translate_ctx; /**< For translate(). */
};

/** @brief One virtio-pci device as its driver sees it. */
struct virtio_device {
    struct pci_device *pci;   /**< The PCI function. */
    bool modern;              /**< Modern (capabilities) or legacy (I/O BAR). */
    struct mmio_bus mmio;     /**< Register access. */
    volatile uint8_t *common; /**< Modern: common configuration. */
    volatile uint8_t *notify; /**< Modern: notification area. */
    volatile uint8_t *isr;    /**< Modern: ISR status byte. */
    volatile uint8_t *devcfg; /**< Modern: device configuration. */
    uint32_t notify_mult;     /**< Modern: notify_off_multiplier. */
    uint32_t notify_len;      /**< Modern: notification area length. */
    uint32_t devcfg_len;      /**< Modern: device configuration length. */
    uint16_t io_base;         /**< Legacy: I/O BAR 0 base port. */
    uint16_t legacy_cfg;      /**< Legacy: device configuration offset (moves with MSI-X). */
    uint64_t device_features; /**< What the device offered. */
    uint64_t features;        /**< What was negotiated. */
};

/**
 * @brief Find the transport of a virtio PCI function, map it, enable it on the
 * bus (memory or I/O decoding, bus mastering, INTx) and reset the device.
 * @param vd  out: the device (caller-owned)
 * @param pci the function
 * @param env the platform
 * @return 0, -ENODEV (not a usable virtio function: malformed capabilities, no
 *         BAR), or -ENOMEM (mapping failed)
 */
int virtio_pci_attach(struct virtio_device *vd, struct pci_device *pci,
                      const struct virtio_env *env);

/**
 * @brief Tell the transport whether the function's MSI-X is on: a legacy device
 * then has two more registers and its configuration moves from offset 0x14 to 0x18.
 * @param vd device
 * @param on MSI-X enabled at the PCI level
 */
void virtio_msix_mode(struct virtio_device *vd, bool on);

/**
 * @brief Route a queue's interrupts to an MSI-X table entry (MSI-X must be on).
 * @param vd     device
 * @param queue  queue index
 * @param vector table entry, or VIRTIO_MSI_NO_VECTOR
 * @return 0, or -EIO when the device did not take it (it reads back NO_VECTOR)
 */
int virtio_set_queue_vector(struct virtio_device *vd, uint16_t queue, uint16_t vector);

/** @brief Reset the device (status 0), which forgets queues and features. @param vd device */
void virtio_reset(struct virtio_device *vd);

/** @brief Read the status byte. @param vd device @return status */
uint8_t virtio_get_status(struct virtio_device *vd);

/** @brief OR bits into the status byte. @param vd device @param bits VIRTIO_STATUS_* */
void virtio_add_status(struct virtio_device *vd, uint8_t bits);

/**
 * @brief Reset and negotiate features (steps up to FEATURES_OK).
 * @param vd        the device
 * @param supported feature bits the driver implements (VIRTIO_F_VERSION_1 is
 *                  added for modern devices and never offered to legacy ones)
 * @return 0 (vd->features holds the result), or -ENODEV (status set to FAILED)
 */
int virtio_negotiate(struct virtio_device *vd, uint64_t supported);

/** @brief Does the negotiated set contain a bit? @param vd device @param bit feature @return true
 * if so */
static inline bool virtio_has_feature(const struct virtio_device *vd, unsigned bit)
{
    return (vd->features >> bit) & 1;
}

/**
 * @brief Create queue @p index: allocate it with the device's size (modern
 * devices: at most @p max_size), tell the device where it is and hook up its
 * doorbell.
 * @param vd       the device
 * @param vq       the queue (caller-owned)
 * @param index    queue number
 * @param max_size largest size wanted (a power of two)
 * @param pool     DMA memory
 * @return 0, -ENOENT (no such queue), -EINVAL (unusable size), -ENOMEM, -ERANGE
 *         (legacy: ring above the 44-bit PFN limit)
 */
int virtio_queue_setup(struct virtio_device *vd, struct virtqueue *vq, uint16_t index,
                       uint16_t max_size, struct dma_pool *pool);

/** @brief Set DRIVER_OK: the device may now process queues. @param vd device */
void virtio_driver_ok(struct virtio_device *vd);

/** @brief Mark the device FAILED (the driver gave up). @param vd device */
void virtio_fail(struct virtio_device *vd);

/**
 * @brief Read and clear the ISR status (interrupt context is fine).
 * @param vd the device
 * @return VIRTIO_ISR_* bits (0: the interrupt was not ours)
 */
uint8_t virtio_isr_read(struct virtio_device *vd);

/** @brief Read 8 bits of device configuration. @param vd device @param off offset @return value */
uint8_t virtio_config_read8(struct virtio_device *vd, uint32_t off);
/** @brief Read 16 bits of device configuration. @param vd device @param off offset @return value */
uint16_t virtio_config_read16(struct virtio_device *vd, uint32_t off);
/** @brief Read 32 bits of device configuration. @param vd device @param off offset @return value */
uint32_t virtio_config_read32(struct virtio_device *vd, uint32_t off);
/**
 * @brief Read 64 bits of device configuration consistently (retries while the
 * modern configuration generation changes, a bounded number of times).
 * @param vd  device
 * @param off offset
 * @return value
 */
uint64_t virtio_config_read64(struct virtio_device *vd, uint32_t off);

#endif
