/*
 * ustack.c - the initial user stack image (proc/ustack.h).
 *
 * Layer: pure data layout, below exec. exec calls ustack_build() with a kernel
 * buffer standing for the top of the new stack, then maps or copies it. The
 * size of the image is known before anything is written (it depends only on
 * the string lengths and the counts, stack_top being 16-byte aligned), so a
 * too-small buffer is refused before the buffer is touched.
 *
 * Size, with S the string bytes (NULs included) and W the 8-byte words below
 * the AT_RANDOM bytes (argc, argv + NULL, envp + NULL, the auxv pairs):
 *     used = align16(8 + S) + 16 + align16(8 * W)
 */
#include <k/errno.h>
#include <proc/ustack.h>
#include <stdbool.h>
#include <string.h>

#define ZERO_WORD   8 /* the end marker at the very top */
#define RANDOM_SIZE 16

static uint64_t align16_up(uint64_t x)
{
    return (x + 15) & ~(uint64_t)15;
}

/* Number of auxv pairs, AT_NULL included. */
static size_t auxv_pairs(const struct ustack_args *a)
{
    return a->execfn ? USTACK_AUXV_MAX : USTACK_AUXV_MAX - 1;
}

/* Words from argc up to and including AT_NULL's value. */
static uint64_t word_count(const struct ustack_args *a)
{
    return 1 + ((uint64_t)a->argc + 1) + ((uint64_t)a->envc + 1) + 2 * auxv_pairs(a);
}

static bool args_valid(const struct ustack_args *a)
{
    return a && a->argc >= 0 && a->envc >= 0 && (a->argc == 0 || a->argv) &&
           (a->envc == 0 || a->envp);
}

/*
 * Bytes the image needs; SIZE_MAX as soon as it exceeds limit, so that a huge
 * argv is refused without walking all of it. *bad is set if a string pointer
 * that was looked at is NULL.
 */
static size_t needed(const struct ustack_args *a, size_t limit, bool *bad)
{
    *bad = false;
    uint64_t fixed = RANDOM_SIZE + align16_up(8 * word_count(a)); /* counts are < 2^32 */
    if (fixed > limit)
        return SIZE_MAX;
    uint64_t budget = limit - fixed; /* what the strings and the zero word may take */
    uint64_t s = ZERO_WORD;
    if (a->execfn)
        s += strlen(a->execfn) + 1;
    for (int i = 0; i < a->envc && s <= budget; i++) {
        if (!a->envp[i]) {
            *bad = true;
            return SIZE_MAX;
        }
        s += strlen(a->envp[i]) + 1;
    }
    for (int i = 0; i < a->argc && s <= budget; i++) {
        if (!a->argv[i]) {
            *bad = true;
            return SIZE_MAX;
        }
        s += strlen(a->argv[i]) + 1;
    }
    /* Each string fits in memory, so one addition cannot wrap past budget. */
    if (s > budget || align16_up(s) > budget)
        return SIZE_MAX;
    return fixed + align16_up(s);
}

size_t ustack_size_needed(const struct ustack_args *a)
{
    bool bad;
    if (!args_valid(a))
        return SIZE_MAX;
    size_t n = needed(a, SIZE_MAX - 16, &bad);
    return bad ? SIZE_MAX : n;
}

/* Writing into buf, which starts at user address base. */
struct img {
    uint8_t *buf;
    uint64_t base;
};

static void put64(struct img *im, uint64_t uaddr, uint64_t v)
{
    uint8_t *p = im->buf + (uaddr - im->base);
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Copy s (with its NUL) to user address uaddr; returns the address after it. */
static uint64_t put_str(struct img *im, uint64_t uaddr, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(im->buf + (uaddr - im->base), s, n);
    return uaddr + n;
}

int64_t ustack_build(uint8_t *buf, size_t size, uint64_t stack_top, const struct ustack_args *a,
                     size_t *used)
{
    /* A top above INT64_MAX would make a valid rsp look like an error. */
    if (!buf || !used || !args_valid(a) || (stack_top & 15) || stack_top < size ||
        stack_top > (uint64_t)INT64_MAX)
        return -EINVAL;
    bool bad;
    size_t need = needed(a, size, &bad);
    if (bad)
        return -EINVAL;
    if (need == SIZE_MAX || need > size)
        return -E2BIG;

    struct img im = { buf, stack_top - size };
    uint64_t rsp = stack_top - need;
    /* Everything from rsp up is ours: zero it so padding is deterministic. */
    memset(buf + (rsp - im.base), 0, need);

    /* Strings, lowest first: argv, envp, execfn; the zero word stays above. */
    uint64_t slen = ZERO_WORD;
    for (int i = 0; i < a->argc; i++)
        slen += strlen(a->argv[i]) + 1;
    for (int i = 0; i < a->envc; i++)
        slen += strlen(a->envp[i]) + 1;
    if (a->execfn)
        slen += strlen(a->execfn) + 1;
    uint64_t p = stack_top - slen;

    /* The pointer arrays and auxv, from argc upwards. */
    uint64_t w = rsp;
    put64(&im, w, (uint64_t)a->argc);
    w += 8;
    for (int i = 0; i < a->argc; i++, w += 8) {
        put64(&im, w, p);
        p = put_str(&im, p, a->argv[i]);
    }
    put64(&im, w, 0);
    w += 8;
    for (int i = 0; i < a->envc; i++, w += 8) {
        put64(&im, w, p);
        p = put_str(&im, p, a->envp[i]);
    }
    put64(&im, w, 0);
    w += 8;
    uint64_t execfn = 0;
    if (a->execfn) {
        execfn = p;
        p = put_str(&im, p, a->execfn);
    }

    uint64_t random = (stack_top - align16_up(slen)) - RANDOM_SIZE;
    memcpy(buf + (random - im.base), a->at_random, RANDOM_SIZE);

    const uint64_t auxv[][2] = {
        { USTACK_AT_PHDR, a->at_phdr },
        { USTACK_AT_PHENT, a->at_phent },
        { USTACK_AT_PHNUM, a->at_phnum },
        { USTACK_AT_PAGESZ, a->at_pagesz ? a->at_pagesz : 4096 },
        { USTACK_AT_ENTRY, a->at_entry },
        { USTACK_AT_UID, a->at_uid },
        { USTACK_AT_EUID, a->at_uid },
        { USTACK_AT_GID, a->at_gid },
        { USTACK_AT_EGID, a->at_gid },
        { USTACK_AT_SECURE, 0 },
        { USTACK_AT_RANDOM, random },
        { USTACK_AT_EXECFN, execfn }, /* skipped below when there is no execfn */
        { USTACK_AT_HWCAP, a->at_hwcap },
        { USTACK_AT_CLKTCK, USTACK_CLKTCK },
        { USTACK_AT_NULL, 0 },
    };
    _Static_assert(sizeof(auxv) / sizeof(auxv[0]) == USTACK_AUXV_MAX, "auxv table size");
    for (size_t i = 0; i < USTACK_AUXV_MAX; i++) {
        if (auxv[i][0] == USTACK_AT_EXECFN && !a->execfn)
            continue;
        put64(&im, w, auxv[i][0]);
        put64(&im, w + 8, auxv[i][1]);
        w += 16;
    }
    *used = need;
    return (int64_t)rsp;
}
