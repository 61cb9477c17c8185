/*
 * frame.c - physical frame allocator (mm/frame.h).
 *
 * Layer: physical memory, just above the window (phys.c). Two bitmaps, one bit
 * per 4 KiB frame from physical 0: "used" (1 = allocated or not RAM) and
 * "managed" (1 = RAM we may hand out). Unmanaged frames are always marked used,
 * so the allocation scan looks at one bitmap only; the managed bitmap is what
 * tells a double free from a free of memory we never owned.
 *
 * Reference counts: an allocated frame has one reference implicitly (its "used"
 * bit); a dense array of 16-bit counters holds the extra ones. Every free path
 * drops one reference and clears the bit only when none is left, so a free
 * frame always has a zero counter and allocation never looks at the array. The
 * array comes from the allocator itself, once, on demand (mm_frames_enable_refs).
 *
 * Interface: mm_frames_init() once, then mm_frame_alloc/free (single frames) and
 * mm_frame_alloc_contig/free_contig (runs), mm_frame_ref/unref/refcount, plus
 * counters.
 * Locking: fa->lock (irqsave) around every operation on the bitmaps, the
 * reference array and the counters; the counts' getters read one word without
 * it. refs_phys is set once, under the lock, and read atomically before it.
 */
#include <k/errno.h>
#include <arch/panic.h>
#include <mm/frame.h>
#include <mm/phys.h>
#include <string.h>

#define FRAME(pa) ((pa) >> MM_PAGE_SHIFT)
#define ADDR(idx) ((uint64_t)(idx) << MM_PAGE_SHIFT)
#define WORD_BITS 64u

static uint64_t *used_map(struct mm_frames *fa)
{
    return mm_phys_to_virt(fa->bitmap_phys);
}

static uint64_t *managed_map(struct mm_frames *fa)
{
    return mm_phys_to_virt(fa->managed_phys);
}

/* The extra-reference counters, or NULL before mm_frames_enable_refs(). */
static uint16_t *ref_map(struct mm_frames *fa)
{
    return fa->refs_phys ? mm_phys_to_virt(fa->refs_phys) : NULL;
}

/* No __builtin_popcountll: without -mpopcnt it calls libgcc, which the kernel lacks. */
static uint64_t popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
}

static bool bit_get(const uint64_t *map, uint64_t i)
{
    return (map[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

static void bit_set(uint64_t *map, uint64_t i)
{
    map[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
}

static void bit_clear(uint64_t *map, uint64_t i)
{
    map[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
}

/* Mark frames [first, end) as RAM we manage (or not), clamped to the bitmap. */
static void mark(struct mm_frames *fa, uint64_t first, uint64_t end, bool managed)
{
    uint64_t *used = used_map(fa), *man = managed_map(fa);
    if (end > fa->nframes)
        end = fa->nframes;
    for (uint64_t i = first; i < end; i++) {
        if (managed) {
            bit_set(man, i);
            bit_clear(used, i);
        } else {
            bit_clear(man, i);
            bit_set(used, i);
        }
    }
}

/*
 * If [s, e) overlaps a reserved range or a non-available map entry, return the
 * end (grown to a frame boundary) of the first such blocker; else return 0.
 */
static uint64_t blocked_until(const struct mm_frames_config *cfg, uint64_t s, uint64_t e)
{
    for (size_t i = 0; i < cfg->reserved_count; i++) {
        uint64_t rb = MM_ALIGN_DOWN(cfg->reserved[i].base, MM_PAGE_SIZE);
        uint64_t re = MM_ALIGN_UP(cfg->reserved[i].base + cfg->reserved[i].length, MM_PAGE_SIZE);
        if (cfg->reserved[i].length && rb < e && s < re)
            return re;
    }
    for (size_t i = 0; i < cfg->map_count; i++) {
        const struct boot_mmap_entry *m = &cfg->map[i];
        uint64_t rb = MM_ALIGN_DOWN(m->base, MM_PAGE_SIZE);
        uint64_t re = MM_ALIGN_UP(m->base + m->length, MM_PAGE_SIZE);
        if (m->type != MB2_MEM_AVAILABLE && m->length && rb < e && s < re)
            return re;
    }
    return 0;
}

/* Available entry @p m shrunk to whole frames and clamped; false if empty. */
static bool usable_span(const struct mm_frames_config *cfg, const struct boot_mmap_entry *m,
                        uint64_t *s, uint64_t *e)
{
    if (m->type != MB2_MEM_AVAILABLE || m->length == 0)
        return false;
    *s = MM_ALIGN_UP(m->base, MM_PAGE_SIZE);
    *e = MM_ALIGN_DOWN(m->base + m->length, MM_PAGE_SIZE);
    if (cfg->ram_limit && *e > cfg->ram_limit)
        *e = MM_ALIGN_DOWN(cfg->ram_limit, MM_PAGE_SIZE);
    if (*s == 0)
        *s = MM_PAGE_SIZE; /* frame 0 is never used: physical 0 looks like "none" */
    return *s < *e;
}

/* First run of @p bytes of usable RAM (below the limit) for the bitmaps. */
static int place_bitmaps(const struct mm_frames_config *cfg, uint64_t bytes, uint64_t *out)
{
    for (size_t i = 0; i < cfg->map_count; i++) {
        uint64_t s, e;
        if (!usable_span(cfg, &cfg->map[i], &s, &e))
            continue;
        if (cfg->bitmap_limit && e > cfg->bitmap_limit)
            e = MM_ALIGN_DOWN(cfg->bitmap_limit, MM_PAGE_SIZE);
        while (s < e && e - s >= bytes) {
            uint64_t next = blocked_until(cfg, s, s + bytes);
            if (next == 0) {
                *out = s;
                return 0;
            }
            s = next;
        }
    }
    return -ENOMEM;
}

int mm_frames_init(struct mm_frames *fa, const struct mm_frames_config *cfg)
{
    uint64_t top = 0;
    for (size_t i = 0; i < cfg->map_count; i++) {
        uint64_t s, e;
        if (usable_span(cfg, &cfg->map[i], &s, &e) && e > top)
            top = e;
    }
    if (top == 0)
        return -EINVAL;

    memset(fa, 0, sizeof(*fa));
    spin_init(&fa->lock, "frames");
    fa->panic_on_misuse = cfg->panic_on_misuse;
    fa->nframes = FRAME(top);
    fa->bitmap_bytes = MM_ALIGN_UP(fa->nframes, WORD_BITS) / 8;
    uint64_t meta = MM_ALIGN_UP(2 * fa->bitmap_bytes, MM_PAGE_SIZE);
    uint64_t at;
    int err = place_bitmaps(cfg, meta, &at);
    if (err)
        return err;
    fa->bitmap_phys = at;
    fa->managed_phys = at + fa->bitmap_bytes;

    memset(used_map(fa), 0xff, fa->bitmap_bytes);
    memset(managed_map(fa), 0, fa->bitmap_bytes);
    for (size_t i = 0; i < cfg->map_count; i++) {
        uint64_t s, e;
        if (usable_span(cfg, &cfg->map[i], &s, &e))
            mark(fa, FRAME(s), FRAME(e), true);
    }
    /* Anything that is not RAM, or reserved, wins over an overlapping RAM entry. */
    for (size_t i = 0; i < cfg->map_count; i++) {
        const struct boot_mmap_entry *m = &cfg->map[i];
        if (m->type != MB2_MEM_AVAILABLE && m->length)
            mark(fa, FRAME(m->base), FRAME(MM_ALIGN_UP(m->base + m->length, MM_PAGE_SIZE)), false);
    }
    for (size_t i = 0; i < cfg->reserved_count; i++) {
        const struct mm_range *r = &cfg->reserved[i];
        if (r->length)
            mark(fa, FRAME(r->base), FRAME(MM_ALIGN_UP(r->base + r->length, MM_PAGE_SIZE)), false);
    }
    mark(fa, 0, 1, false);
    mark(fa, FRAME(at), FRAME(at + meta), false);

    const uint64_t *man = managed_map(fa);
    for (uint64_t w = 0; w < fa->bitmap_bytes / 8; w++)
        fa->managed += popcount64(man[w]);
    fa->free = fa->managed;
    return 0;
}

/* Report a bad free: panic if asked to, else the caller returns -EINVAL. */
static int misuse(struct mm_frames *fa, uint64_t pa, const char *what)
{
    if (fa->panic_on_misuse)
        panic("mm_frame_free: %s of frame %#llx", what, (unsigned long long)pa);
    return -EINVAL;
}

/* The maps, found once for a loop over many frames (each mm_phys_to_virt()
 * is a call). Caller holds fa->lock. */
struct maps {
    uint64_t *used, *managed;
    uint16_t *refs; /* NULL before mm_frames_enable_refs() */
};

static struct maps maps_of(struct mm_frames *fa)
{
    return (struct maps){ used_map(fa), managed_map(fa), ref_map(fa) };
}

static bool allocated_in(const struct mm_frames *fa, const struct maps *m, uint64_t i)
{
    return i < fa->nframes && bit_get(m->managed, i) && bit_get(m->used, i);
}

/* Is frame @p i allocated? Caller holds fa->lock. */
static bool allocated(struct mm_frames *fa, uint64_t i)
{
    return i < fa->nframes && bit_get(managed_map(fa), i) && bit_get(used_map(fa), i);
}

/* Check that frame @p pa may be freed. Caller holds fa->lock. */
static int check_free_in(struct mm_frames *fa, const struct maps *m, uint64_t pa)
{
    uint64_t i = FRAME(pa);
    if (pa & (MM_PAGE_SIZE - 1))
        return misuse(fa, pa, "unaligned free");
    if (i >= fa->nframes || !bit_get(m->managed, i))
        return misuse(fa, pa, "free of a frame never allocated");
    if (!bit_get(m->used, i))
        return misuse(fa, pa, "double free");
    return 0;
}

static int check_free(struct mm_frames *fa, uint64_t pa)
{
    struct maps m = maps_of(fa);
    return check_free_in(fa, &m, pa);
}

/*
 * Drop one reference to frame @p i (checked by check_free): the frame is freed
 * when it was the last. Returns the references left. Caller holds fa->lock.
 */
static int drop_ref_in(struct mm_frames *fa, const struct maps *m, uint64_t i)
{
    if (m->refs && m->refs[i]) {
        if (--m->refs[i] == 0)
            fa->shared--;
        return m->refs[i] + 1;
    }
    bit_clear(m->used, i);
    fa->free++;
    if (i < fa->hint)
        fa->hint = i;
    return 0;
}

static int drop_ref(struct mm_frames *fa, uint64_t i)
{
    struct maps m = maps_of(fa);
    return drop_ref_in(fa, &m, i);
}

int mm_frame_alloc(struct mm_frames *fa, uint64_t *out)
{
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    uint64_t *used = used_map(fa);
    for (uint64_t w = fa->hint / WORD_BITS; w < fa->bitmap_bytes / 8; w++) {
        if (used[w] == ~0ull)
            continue;
        uint64_t i = w * WORD_BITS + (uint64_t)__builtin_ctzll(~used[w]);
        if (i >= fa->nframes)
            break;
        bit_set(used, i);
        fa->free--;
        fa->hint = i + 1;
        spin_unlock_irqrestore(&fa->lock, flags);
        *out = ADDR(i);
        return 0;
    }
    fa->hint = fa->nframes;
    spin_unlock_irqrestore(&fa->lock, flags);
    return -ENOMEM;
}

int mm_frame_alloc_zeroed(struct mm_frames *fa, uint64_t *out)
{
    int err = mm_frame_alloc(fa, out);
    if (err == 0)
        memset(mm_phys_to_virt(*out), 0, MM_PAGE_SIZE);
    return err;
}

int mm_frame_free(struct mm_frames *fa, uint64_t pa)
{
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    int err = check_free(fa, pa);
    if (err == 0)
        drop_ref(fa, FRAME(pa));
    spin_unlock_irqrestore(&fa->lock, flags);
    return err;
}

int mm_frame_unref(struct mm_frames *fa, uint64_t pa)
{
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    int r = check_free(fa, pa);
    if (r == 0)
        r = drop_ref(fa, FRAME(pa));
    spin_unlock_irqrestore(&fa->lock, flags);
    return r;
}

int mm_frames_enable_refs(struct mm_frames *fa)
{
    if (__atomic_load_n(&fa->refs_phys, __ATOMIC_ACQUIRE))
        return 0;
    uint64_t count = MM_ALIGN_UP(fa->nframes * sizeof(uint16_t), MM_PAGE_SIZE) / MM_PAGE_SIZE;
    uint64_t pa;
    int err = mm_frame_alloc_contig(fa, count, 0, &pa);
    if (err)
        return err;
    memset(mm_phys_to_virt(pa), 0, count * MM_PAGE_SIZE);
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    bool lost = fa->refs_phys != 0; /* another CPU got there first */
    if (!lost) {
        fa->refs_phys = pa;
        fa->refs_frames = count;
    }
    spin_unlock_irqrestore(&fa->lock, flags);
    if (lost)
        mm_frame_free_contig(fa, pa, count);
    return 0;
}

int mm_frame_ref(struct mm_frames *fa, uint64_t pa)
{
    int err = mm_frames_enable_refs(fa);
    if (err)
        return err;
    uint64_t i = FRAME(pa);
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    uint16_t *refs = ref_map(fa);
    if ((pa & (MM_PAGE_SIZE - 1)) || !allocated(fa, i))
        err = -EINVAL;
    else if (refs[i] == UINT16_MAX)
        err = -EOVERFLOW;
    else if (refs[i]++ == 0)
        fa->shared++;
    spin_unlock_irqrestore(&fa->lock, flags);
    return err;
}

int mm_frame_ref_many(struct mm_frames *fa, const uint64_t *pa, size_t n)
{
    int err = mm_frames_enable_refs(fa);
    if (err)
        return err;
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    struct maps m = maps_of(fa);
    size_t done = 0;
    for (; done < n; done++) {
        uint64_t i = FRAME(pa[done]);
        if ((pa[done] & (MM_PAGE_SIZE - 1)) || !allocated_in(fa, &m, i)) {
            err = -EINVAL;
            break;
        }
        if (m.refs[i] == UINT16_MAX) {
            err = -EOVERFLOW;
            break;
        }
        if (m.refs[i]++ == 0)
            fa->shared++;
    }
    /* All or nothing: the frames stay allocated, so taking back is a decrement. */
    while (err && done > 0) {
        uint64_t i = FRAME(pa[--done]);
        if (--m.refs[i] == 0)
            fa->shared--;
    }
    spin_unlock_irqrestore(&fa->lock, flags);
    return err;
}

int mm_frame_unref_many(struct mm_frames *fa, const uint64_t *pa, size_t n)
{
    int err = 0;
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    struct maps m = maps_of(fa);
    for (size_t k = 0; k < n; k++) {
        int r = check_free_in(fa, &m, pa[k]);
        if (r == 0)
            drop_ref_in(fa, &m, FRAME(pa[k]));
        else if (!err)
            err = r;
    }
    spin_unlock_irqrestore(&fa->lock, flags);
    return err;
}

uint32_t mm_frame_refcount(struct mm_frames *fa, uint64_t pa)
{
    uint64_t i = FRAME(pa);
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    const uint16_t *refs = ref_map(fa);
    uint32_t n = allocated(fa, i) ? 1u + (refs ? refs[i] : 0u) : 0u;
    spin_unlock_irqrestore(&fa->lock, flags);
    return n;
}

uint64_t mm_frames_shared_count(struct mm_frames *fa)
{
    return __atomic_load_n(&fa->shared, __ATOMIC_RELAXED);
}

int mm_frame_alloc_contig(struct mm_frames *fa, uint64_t count, uint64_t align, uint64_t *out)
{
    if (count == 0 || (align & (align - 1)))
        return -EINVAL;
    if (count > fa->nframes)
        return -ENOMEM;
    uint64_t step = align > MM_PAGE_SIZE ? FRAME(align) : 1;
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    uint64_t *used = used_map(fa);
    uint64_t i = MM_ALIGN_UP(fa->hint, step);
    while (i + count <= fa->nframes) {
        uint64_t j = 0;
        while (j < count && !bit_get(used, i + j))
            j++;
        if (j == count) {
            for (j = 0; j < count; j++)
                bit_set(used, i + j);
            fa->free -= count;
            spin_unlock_irqrestore(&fa->lock, flags);
            *out = ADDR(i);
            return 0;
        }
        i = MM_ALIGN_UP(i + j + 1, step);
    }
    spin_unlock_irqrestore(&fa->lock, flags);
    return -ENOMEM;
}

int mm_frame_free_contig(struct mm_frames *fa, uint64_t pa, uint64_t count)
{
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    for (uint64_t j = 0; j < count; j++) {
        int err = check_free(fa, pa + ADDR(j));
        if (err) {
            spin_unlock_irqrestore(&fa->lock, flags);
            return err;
        }
    }
    for (uint64_t j = 0; j < count; j++)
        drop_ref(fa, FRAME(pa) + j);
    spin_unlock_irqrestore(&fa->lock, flags);
    return 0;
}

bool mm_frame_is_allocated(struct mm_frames *fa, uint64_t pa)
{
    uint64_t flags = spin_lock_irqsave(&fa->lock);
    bool r = allocated(fa, FRAME(pa));
    spin_unlock_irqrestore(&fa->lock, flags);
    return r;
}

uint64_t mm_frames_free_count(struct mm_frames *fa)
{
    return __atomic_load_n(&fa->free, __ATOMIC_RELAXED);
}

uint64_t mm_frames_used_count(struct mm_frames *fa)
{
    return fa->managed - mm_frames_free_count(fa);
}

uint64_t mm_frames_total_count(struct mm_frames *fa)
{
    return fa->managed;
}

uint64_t mm_frames_top(struct mm_frames *fa)
{
    return ADDR(fa->nframes);
}
