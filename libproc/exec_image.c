/*
 * exec_image.c - programs' file pages shared between the processes that run
 * them (proc/exec_image.h).
 *
 * Layer: libproc, between exec (exec.c, which parses the ELF file and builds
 * the stack) and the user address space (uvm.c: uvm_map(), uvm_share_frame()).
 *
 * An image is a list of segments, each a run of frames holding the file pages
 * of one PT_LOAD segment. On a miss the image is built with the lock dropped
 * (reading the file may sleep), then inserted, unless another exec inserted
 * the same version meanwhile: then ours is thrown away and theirs is used.
 *
 * Lifetime: the cache's reference on each frame keeps an image whole; a sweep
 * drops an image once every one of its frames has that reference alone.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include <proc/exec_image.h>
#include <string.h>

#define PAGE MM_PAGE_SIZE

/* The file pages of one PT_LOAD segment. */
struct image_seg {
    uint64_t va;     /* user address of the first page (page aligned) */
    uint32_t npages; /* frames in pages[] */
    uint64_t *pages; /* their physical addresses */
};

struct exec_image {
    struct exec_image *next;
    struct exec_image_key key;
    unsigned nseg;
    struct image_seg seg[ELF_MAX_LOAD];
};

void exec_cache_init(struct exec_cache *c, struct mm_frames *frames, void *(*alloc)(size_t),
                     void (*free)(void *))
{
    memset(c, 0, sizeof(*c));
    c->frames = frames;
    c->alloc = alloc;
    c->free = free;
    spin_init(&c->lock, "exec_cache");
}

static bool key_eq(const struct exec_image_key *a, const struct exec_image_key *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
           a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

static uint64_t image_pages(const struct exec_image *im)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < im->nseg; i++)
        n += im->seg[i].npages;
    return n;
}

/* Drop the image's frame references and free it. */
static void image_free(struct exec_cache *c, struct exec_image *im)
{
    for (unsigned i = 0; i < im->nseg; i++) {
        for (uint32_t p = 0; p < im->seg[i].npages; p++)
            mm_frame_unref(c->frames, im->seg[i].pages[p]);
        if (im->seg[i].pages)
            c->free(im->seg[i].pages);
    }
    c->free(im);
}

/* Fill frame @p pa with the file bytes of the page at @p page_va in segment @p s. */
static int load_page(const struct elf_reader *r, const struct elf_load_seg *s, uint64_t page_va,
                     uint64_t pa)
{
    uint64_t from = s->vaddr > page_va ? s->vaddr : page_va;
    uint64_t to = s->vaddr + s->filesz < page_va + PAGE ? s->vaddr + s->filesz : page_va + PAGE;
    if (to <= from)
        return 0;
    uint8_t *dst = (uint8_t *)mm_phys_to_virt(pa) + (from - page_va);
    long n = r->read(r->ctx, s->offset + (from - s->vaddr), dst, (size_t)(to - from));
    if (n < 0)
        return (int)n;
    return (uint64_t)n == to - from ? 0 : -ENOEXEC; /* the file shrank under us */
}

/* Read the file pages of every segment into fresh frames. */
static int image_load(struct exec_cache *c, const struct exec_image_key *key,
                      const struct elf_reader *r, const struct elf_image *img,
                      struct exec_image **out)
{
    struct exec_image *im = c->alloc(sizeof(*im));
    if (!im)
        return -ENOMEM;
    memset(im, 0, sizeof(*im));
    im->key = *key;
    int err = 0;
    for (unsigned i = 0; !err && i < img->nseg; i++) {
        const struct elf_load_seg *s = &img->seg[i];
        struct image_seg *is = &im->seg[i];
        is->va = s->vaddr & ~(uint64_t)(PAGE - 1);
        uint64_t end = MM_ALIGN_UP(s->vaddr + s->filesz, PAGE);
        uint64_t n = s->filesz ? (end - is->va) / PAGE : 0;
        im->nseg = i + 1;
        if (n == 0)
            continue;
        is->pages = c->alloc(n * sizeof(uint64_t));
        if (!is->pages) {
            err = -ENOMEM;
            break;
        }
        for (uint64_t p = 0; !err && p < n; p++) {
            uint64_t pa;
            if (mm_frame_alloc_zeroed(c->frames, &pa)) {
                err = -ENOMEM;
                break;
            }
            is->pages[is->npages++] = pa;
            err = load_page(r, s, is->va + p * PAGE, pa);
        }
    }
    if (err) {
        image_free(c, im);
        return err;
    }
    *out = im;
    return 0;
}

/* Map @p im's pages into @p vm (the segments' VMAs exist). Lock held. */
static int image_map(struct exec_cache *c, const struct exec_image *im, struct uvm *vm)
{
    for (unsigned i = 0; i < im->nseg; i++) {
        const struct image_seg *is = &im->seg[i];
        for (uint32_t p = 0; p < is->npages; p++) {
            uint64_t va = is->va + (uint64_t)p * PAGE;
            int err = uvm_share_frame(vm, va, is->pages[p]);
            if (err == -EOVERFLOW) /* too many sharers: this one gets a copy */
                err = uvm_populate(vm, va, mm_phys_to_virt(is->pages[p]), PAGE);
            else if (err == 0)
                c->stats.shared_pages++;
            if (err)
                return err;
        }
    }
    return 0;
}

/* The image of @p key, moved to the front; NULL if none. Lock held. */
static struct exec_image *find(struct exec_cache *c, const struct exec_image_key *key)
{
    for (struct exec_image **pp = &c->head; *pp; pp = &(*pp)->next) {
        struct exec_image *im = *pp;
        if (key_eq(&im->key, key)) {
            *pp = im->next;
            im->next = c->head;
            c->head = im;
            return im;
        }
    }
    return NULL;
}

/* Does any process map a frame of @p im? */
static bool in_use(struct exec_cache *c, const struct exec_image *im)
{
    for (unsigned i = 0; i < im->nseg; i++)
        for (uint32_t p = 0; p < im->seg[i].npages; p++)
            if (mm_frame_refcount(c->frames, im->seg[i].pages[p]) > 1)
                return true;
    return false;
}

/* Unlink the unused images onto *dead. Lock held. */
static unsigned sweep_locked(struct exec_cache *c, struct exec_image **dead)
{
    unsigned n = 0;
    for (struct exec_image **pp = &c->head; *pp;) {
        struct exec_image *im = *pp;
        if (in_use(c, im)) {
            pp = &im->next;
            continue;
        }
        *pp = im->next;
        im->next = *dead;
        *dead = im;
        c->stats.images--;
        c->stats.pages -= image_pages(im);
        c->stats.dropped++;
        n++;
    }
    return n;
}

/* Free a list of unlinked images (lock not held: frees may take other locks). */
static void free_list(struct exec_cache *c, struct exec_image *im)
{
    while (im) {
        struct exec_image *next = im->next;
        image_free(c, im);
        im = next;
    }
}

unsigned exec_cache_sweep(struct exec_cache *c)
{
    struct exec_image *dead = NULL;
    uint64_t f = spin_lock_irqsave(&c->lock);
    unsigned n = sweep_locked(c, &dead);
    spin_unlock_irqrestore(&c->lock, f);
    free_list(c, dead);
    return n;
}

void exec_cache_clear(struct exec_cache *c)
{
    uint64_t f = spin_lock_irqsave(&c->lock);
    struct exec_image *all = c->head;
    c->head = NULL;
    c->stats.dropped += c->stats.images;
    c->stats.images = c->stats.pages = 0;
    spin_unlock_irqrestore(&c->lock, f);
    free_list(c, all);
}

void exec_cache_stats(struct exec_cache *c, struct exec_cache_stats *st)
{
    uint64_t f = spin_lock_irqsave(&c->lock);
    *st = c->stats;
    st->idle_pages = 0;
    for (const struct exec_image *im = c->head; im; im = im->next)
        for (unsigned s = 0; s < im->nseg; s++)
            for (uint32_t k = 0; k < im->seg[s].npages; k++)
                st->idle_pages += mm_frame_refcount(c->frames, im->seg[s].pages[k]) == 1;
    spin_unlock_irqrestore(&c->lock, f);
}

/* Make every segment's VMA (fixed, with its protection). */
static int map_segments(const struct elf_image *img, struct uvm *vm)
{
    for (unsigned i = 0; i < img->nseg; i++) {
        const struct elf_load_seg *s = &img->seg[i];
        uint64_t start = s->vaddr & ~(uint64_t)(PAGE - 1);
        uint64_t end = MM_ALIGN_UP(s->vaddr + s->memsz, PAGE);
        uint64_t got;
        int err = uvm_map(vm, start, end - start, (int)s->prot, UVM_MAP_FIXED, &got);
        if (err)
            return err;
    }
    return 0;
}

int exec_cache_map(struct exec_cache *c, const struct exec_image_key *key,
                   const struct elf_reader *r, const struct elf_image *img, struct uvm *vm)
{
    int err = map_segments(img, vm);
    if (err)
        return err;
    struct exec_image *dead = NULL, *fresh = NULL;
    uint64_t f = spin_lock_irqsave(&c->lock);
    struct exec_image *im = find(c, key);
    if (im) { /* mapped before the sweep, which therefore keeps it */
        c->stats.hits++;
        err = image_map(c, im, vm);
    }
    sweep_locked(c, &dead);
    spin_unlock_irqrestore(&c->lock, f);
    if (im) {
        free_list(c, dead);
        return err;
    }
    free_list(c, dead);
    dead = NULL;

    err = image_load(c, key, r, img, &fresh);
    if (err)
        return err;
    f = spin_lock_irqsave(&c->lock);
    im = find(c, key); /* another exec of the same version may have won the race */
    if (!im) {
        im = fresh;
        fresh = NULL;
        im->next = c->head;
        c->head = im;
        c->stats.images++;
        c->stats.pages += image_pages(im);
    }
    c->stats.misses++;
    err = image_map(c, im, vm);
    spin_unlock_irqrestore(&c->lock, f);
    if (fresh)
        image_free(c, fresh);
    return err;
}
