/**
 * @file mm/heap.h
 * @brief The kernel heap: kmalloc/kfree/krealloc/kcalloc/kmalloc_aligned over
 * one interface with three backends.
 *
 * - MM_HEAP_BUMP: a bump pointer; memory comes back only when every allocation
 *   has been freed (the seed's first allocator).
 * - MM_HEAP_LIST: an address-ordered free list, first fit, blocks split on
 *   allocation and coalesced with free neighbours on free.
 * - MM_HEAP_BLOCK: power-of-two size classes (16 B .. 2 KiB) carved from 4 KiB
 *   slabs, falling back to the list allocator for larger or over-aligned
 *   requests. Freed objects stay in their class.
 *
 * A heap is a virtual range [base, base + max) of which a prefix is usable. It
 * starts with @c initial bytes and grows by calling the @c grow callback to make
 * more of the range usable (the kernel maps pages with mm_kmap_heap_grow(); host
 * tests use a plain buffer). All heap metadata lives inside the range.
 *
 * Misuse (freeing a pointer the heap did not hand out, or freeing twice) is
 * detected: counted in the statistics, and a panic when @c panic_on_misuse.
 *
 * Locking: the spinlock "heap" (irqsave) in every call, so kmalloc() works in
 * IRQ handlers; it protects the backend's lists, the usable end and the
 * statistics. The grow callback runs with that lock held, so the kernel's
 * lock order is: heap, then the kernel address space (mm_kmap_heap_grow()),
 * then the frame allocator. Nothing may call kmalloc() with an address space's
 * or the frame allocator's lock held. mm_heap_usable_size() checks the range
 * before it takes the lock: the usable end only grows.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <arch/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_HEAP_CLASSES      8            /**< Size classes of the block backend. */
#define MM_HEAP_MIN_CLASS    16           /**< Smallest class (and minimum alignment). */
#define MM_HEAP_MAX_CLASS    2048         /**< Largest class. */
#define MM_HEAP_INITIAL_SIZE (100 * 1024) /**< Default initial size (as in the seed). */
#define MM_HEAP_MIN_GROW     (64 * 1024)  /**< Smallest growth step. */

/** @brief The backends. */
enum mm_heap_kind {
    MM_HEAP_BUMP,  /**< Bump allocator. */
    MM_HEAP_LIST,  /**< Linked-list first fit. */
    MM_HEAP_BLOCK, /**< Fixed-size blocks + list fallback. */
};

/**
 * @brief Make [@p va, @p va + @p size) of the heap range usable (map pages).
 * @param ctx  the configuration's @c grow_ctx
 * @param va   start (page aligned: the current end of the heap)
 * @param size bytes (a multiple of 4 KiB)
 * @return 0, or a negative error (the heap then reports out of memory)
 */
typedef int (*mm_heap_grow_fn)(void *ctx, uintptr_t va, uint64_t size);

/** @brief How to build a heap. */
struct mm_heap_config {
    enum mm_heap_kind kind; /**< Backend. */
    uintptr_t base;         /**< Start of the range (page aligned). */
    uint64_t initial;       /**< Bytes made usable at init (rounded up to 4 KiB). */
    uint64_t max;           /**< Size of the whole range (a multiple of 4 KiB). */
    mm_heap_grow_fn grow;   /**< Called at init and to grow; NULL: already usable. */
    void *grow_ctx;         /**< Passed to @ref grow. */
    bool panic_on_misuse;   /**< Panic on a bad or double free. */
};

/** @brief Heap statistics (a snapshot). */
struct mm_heap_stats {
    uint64_t heap_size;   /**< Usable bytes of the range (grows). */
    uint64_t in_use;      /**< Bytes handed out (usable sizes of live allocations). */
    uint64_t free;        /**< Bytes the backend can still hand out without growing. */
    uint64_t peak_in_use; /**< Highest @ref in_use so far. */
    uint64_t live;        /**< Live allocations. */
    uint64_t allocs;      /**< Successful allocations. */
    uint64_t frees;       /**< Successful frees. */
    uint64_t failed;      /**< Allocations that failed. */
    uint64_t bad_frees;   /**< Frees of bad pointers or double frees. */
    uint64_t grows;       /**< Times the heap grew. */
    uint64_t free_blocks; /**< List and block backends: separate free blocks in the list. */
    uint64_t class_size[MM_HEAP_CLASSES];  /**< Block backend: object size of each class. */
    uint64_t class_live[MM_HEAP_CLASSES];  /**< Live objects per class. */
    uint64_t class_free[MM_HEAP_CLASSES];  /**< Free objects per class. */
    uint64_t class_slabs[MM_HEAP_CLASSES]; /**< 4 KiB slabs per class. */
};

/** @cond INTERNAL */
struct mm_heap_ops;
struct mm_heap_node;
/** @endcond */

/** @brief A heap. Initialise with mm_heap_init(); all fields private. */
struct mm_heap {
    struct spinlock lock;              /**< Protects everything below. */
    const struct mm_heap_ops *ops;     /**< The backend. */
    enum mm_heap_kind kind;            /**< Which backend. */
    uintptr_t base;                    /**< Start of the range. */
    uintptr_t end;                     /**< End of the usable prefix. */
    uintptr_t limit;                   /**< End of the range. */
    mm_heap_grow_fn grow;              /**< Page source. */
    void *grow_ctx;                    /**< Its context. */
    bool panic_on_misuse;              /**< See mm_heap_config. */
    struct mm_heap_stats stats;        /**< Counters (heap_size, free filled on demand). */
    uintptr_t bump_next;               /**< Bump: next free byte. */
    struct mm_heap_node *list_head;    /**< List: free blocks, by address. */
    uint64_t list_free;                /**< List: bytes in free blocks. */
    void *class_head[MM_HEAP_CLASSES]; /**< Block: free objects per class. */
    uint8_t *page_class;               /**< Block: per page of the range, class + 1 or 0. */
};

/**
 * @brief Create a heap.
 * @param h   the heap
 * @param cfg configuration (copied)
 * @return 0; -EINVAL for a bad configuration; the grow callback's error
 */
int mm_heap_init(struct mm_heap *h, const struct mm_heap_config *cfg);

/**
 * @brief Allocate @p size bytes aligned to @p align.
 * @param h     the heap
 * @param size  bytes (0 gives a unique minimal allocation)
 * @param align a power of two up to 4096; below 16 means 16
 * @return the memory, or NULL if out of memory or @p align is invalid
 */
void *mm_heap_alloc(struct mm_heap *h, size_t size, size_t align);

/**
 * @brief Free memory from this heap (NULL is ignored).
 * @param h the heap
 * @param p the pointer
 * @return 0, or -EINVAL for a pointer the heap did not hand out or a double free
 */
int mm_heap_free(struct mm_heap *h, void *p);

/**
 * @brief Resize: contents up to the smaller size are kept.
 * @param h    the heap
 * @param p    old memory (NULL: like mm_heap_alloc())
 * @param size new size (0: frees @p p and returns NULL)
 * @return the new memory, or NULL (then @p p is untouched) if out of memory
 */
void *mm_heap_realloc(struct mm_heap *h, void *p, size_t size);

/**
 * @brief Bytes usable at @p p (at least what was asked for).
 * @param h the heap
 * @param p a live allocation
 * @return the usable size, 0 for a bad pointer
 */
size_t mm_heap_usable_size(struct mm_heap *h, const void *p);

/**
 * @brief Take a statistics snapshot.
 * @param h   the heap
 * @param out filled in
 */
void mm_heap_get_stats(struct mm_heap *h, struct mm_heap_stats *out);

/**
 * @brief Parse a backend name ("bump", "list", "block"), as in `heap=list`.
 * @param name the name
 * @param out  the backend
 * @return 0 or -EINVAL
 */
int mm_heap_kind_parse(const char *name, enum mm_heap_kind *out);

/**
 * @brief Which backend a heap uses.
 * @param h the heap
 * @return its kind
 */
enum mm_heap_kind mm_heap_kind_of(const struct mm_heap *h);

/** @brief Name of a backend. @param kind the backend @return "bump", "list" or "block" */
const char *mm_heap_kind_name(enum mm_heap_kind kind);

/**
 * @brief Make @p h the heap behind kmalloc() and friends.
 * @param h the heap (must live as long as it is in use; NULL detaches)
 */
void mm_kheap_set(struct mm_heap *h);

/** @brief The heap behind kmalloc(). @return it, or NULL before mm_kheap_set() */
struct mm_heap *mm_kheap(void);

/** @brief Allocate from the kernel heap. @param size bytes @return memory (16-aligned) or NULL */
void *kmalloc(size_t size);
/** @brief Free kernel-heap memory (NULL is ignored). @param p the pointer */
void kfree(void *p);
/** @brief Resize kernel-heap memory. @param p old @param size new @return new memory or NULL */
void *krealloc(void *p, size_t size);
/**
 * @brief Allocate a zeroed array.
 * @param n    elements
 * @param size bytes per element
 * @return zeroed memory, or NULL (also when @p n * @p size overflows)
 */
void *kcalloc(size_t n, size_t size);
/**
 * @brief Allocate with an alignment.
 * @param size  bytes
 * @param align a power of two up to 4096
 * @return memory or NULL
 */
void *kmalloc_aligned(size_t size, size_t align);

#endif
