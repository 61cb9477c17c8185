/**
 * @file proc/exec_image.h
 * @brief Programs' file pages shared between the processes that run them.
 *
 * exec loads a program's PT_LOAD pages once into frames of their own, an
 * image (`struct exec_image`), and maps those frames into every process that runs the same
 * version of the same file: read-only, one more frame reference each. Text
 * stays shared for good; the first write to a data page copies it
 * (copy-on-write, as after fork: uvm_page_get() sees a frame with more than
 * one reference). So every process running `/bin/kbox` (init, the shell, each
 * utility) executes the same physical code pages. That saves the copy at each
 * exec and, under an emulator such as QEMU's TCG, whose translated code is
 * keyed by physical address, the translation of the same code again for each
 * process.
 *
 * An image holds its own copy of the file's bytes, never the file system's
 * storage: changing the file after an exec does not change the running
 * program, and nothing a program writes reaches the file. A file is the same
 * version when its mount, inode number, size, mtime and ctime (with
 * nanoseconds) are all equal (@ref exec_image_key); any write or attribute
 * change moves ctime, which the user cannot set back.
 *
 * Each page of an image is exactly what a copying loader gives: the file's
 * bytes of that page inside the segment, zeros before the segment's start and
 * after its file bytes. Pages wholly past the file bytes (.bss) are not in
 * the image: they stay demand-zero in each process.
 *
 * Lifetime: an image lives while a process maps any of its frames. The cache
 * holds one reference on each frame; exec_cache_sweep() drops the images
 * whose frames have no other reference (nobody runs them). Sweeps run at
 * every exec_cache_map() and when a process exits (the kernel calls
 * exec_cache_sweep()), so the frames of a program that has ended are free
 * again once it is reaped, and memory held is one copy per running program.
 *
 * Memory: images and their frame lists come from @ref exec_cache::alloc;
 * frames from the frame allocator of @ref exec_cache::frames.
 *
 * Locking: one spinlock (irqsave) per cache, held while an image is found
 * and mapped, never while the file is read; lock order (the checker's
 * classes): this cache ("exec_cache"), then the address space's lock
 * ("aspace"), then the frame allocator's ("frames"). Its counters change only
 * under it; exec_cache_stats() copies them under it.
 */
#ifndef PROC_EXEC_IMAGE_H
#define PROC_EXEC_IMAGE_H

#include <arch/spinlock.h>
#include <mm/frame.h>
#include <proc/elf.h>
#include <proc/uvm.h>
#include <stdint.h>

/** @brief Which version of which file: all fields equal means the same bytes. */
struct exec_image_key {
    uint32_t dev;        /**< Mount id (vfs_stat::dev). */
    uint64_t ino;        /**< Inode number. */
    uint64_t size;       /**< File size in bytes. */
    uint64_t mtime_sec;  /**< Last change of the contents, seconds. */
    uint32_t mtime_nsec; /**< ... and nanoseconds. */
    uint64_t ctime_sec;  /**< Last change of contents or attributes, seconds. */
    uint32_t ctime_nsec; /**< ... and nanoseconds. */
};

struct exec_image;

/** @brief Counters of a cache (exec_cache_stats()). */
struct exec_cache_stats {
    uint64_t images;       /**< Images held now. */
    uint64_t pages;        /**< Frames held by them. */
    uint64_t hits;         /**< Maps that found their image. */
    uint64_t misses;       /**< Maps that loaded a new image. */
    uint64_t dropped;      /**< Images dropped by sweeps. */
    uint64_t shared_pages; /**< Pages mapped shared (not copied). */
    uint64_t idle_pages;   /**< Frames no process maps now (the cache's reference alone),
                                counted by exec_cache_stats(). */
};

/** @brief The images of all running programs. Initialise with exec_cache_init(). */
struct exec_cache {
    struct mm_frames *frames;      /**< Frames for image pages. */
    void *(*alloc)(size_t);        /**< Allocates images and their frame lists. */
    void (*free)(void *);          /**< Frees what @ref alloc returned. */
    struct spinlock lock;          /**< Protects the list and the counters. */
    struct exec_image *head;       /**< Images, most recently used first. */
    struct exec_cache_stats stats; /**< Counters (images and pages kept current). */
};

/**
 * @brief Initialise an empty cache.
 * @param c      the cache
 * @param frames the frame allocator that user address spaces use
 * @param alloc  allocator for images (kmalloc in the kernel)
 * @param free   its free
 */
void exec_cache_init(struct exec_cache *c, struct mm_frames *frames, void *(*alloc)(size_t),
                     void (*free)(void *));

/**
 * @brief Map the PT_LOAD segments of @p img into @p vm from the cached image
 * of the file version @p key, loading the image through @p r first if the
 * cache has none. Each segment becomes a UVM_MAP_FIXED mapping with its
 * protection; its file pages are shared frames (see the file comment), the
 * rest demand-zero.
 * @param c   the cache
 * @param key the file's version
 * @param r   the file (read only on a miss)
 * @param img what elf_parse() found in it
 * @param vm  the new address space (nothing mapped where the segments go)
 * @return 0; -ENOEXEC if the file is shorter than its headers say; the
 *         reader's error; -ENOMEM; or uvm_map()'s error. On failure @p vm may
 *         hold part of the mapping: the caller destroys it.
 */
int exec_cache_map(struct exec_cache *c, const struct exec_image_key *key,
                   const struct elf_reader *r, const struct elf_image *img, struct uvm *vm);

/**
 * @brief Drop every image that no process maps any more (each of its frames
 * holds only the cache's reference). Cost: one reference-count read per
 * cached page.
 * @param c the cache
 * @return images dropped
 */
unsigned exec_cache_sweep(struct exec_cache *c);

/**
 * @brief Drop every image, whether or not processes still map it (they keep
 * their own references, so they run on unharmed). For tear-down and tests.
 * @param c the cache
 */
void exec_cache_clear(struct exec_cache *c);

/**
 * @brief Read the counters.
 * @param c  the cache
 * @param st filled in
 */
void exec_cache_stats(struct exec_cache *c, struct exec_cache_stats *st);

#endif
