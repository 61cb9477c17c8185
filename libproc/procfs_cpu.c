/*
 * procfs_cpu.c - /proc/cpuinfo (proc/procfs.h): what CPUID says, in Linux's
 * format, flags named and ordered as Linux names and orders them (by its
 * feature words: leaf 1 EDX, leaf 0x80000001 EDX, leaf 1 ECX, leaf
 * 0x80000001 ECX, leaf 7 EBX, leaf 7 ECX).
 *
 * Layer: pure (CPUID comes in as a function), built for the host too.
 */
#include <proc/procfs.h>
#include <string.h>

struct flag {
    uint8_t bit;
    const char *name;
};

static const struct flag edx1[] = {
    { 0, "fpu" },   { 1, "vme" },    { 2, "de" },    { 3, "pse" },      { 4, "tsc" },
    { 5, "msr" },   { 6, "pae" },    { 7, "mce" },   { 8, "cx8" },      { 9, "apic" },
    { 11, "sep" },  { 12, "mtrr" },  { 13, "pge" },  { 14, "mca" },     { 15, "cmov" },
    { 16, "pat" },  { 17, "pse36" }, { 18, "pn" },   { 19, "clflush" }, { 21, "dts" },
    { 22, "acpi" }, { 23, "mmx" },   { 24, "fxsr" }, { 25, "sse" },     { 26, "sse2" },
    { 27, "ss" },   { 28, "ht" },    { 29, "tm" },   { 30, "ia64" },    { 31, "pbe" },
};

static const struct flag edx81[] = {
    { 11, "syscall" }, { 20, "nx" }, { 22, "mmxext" },   { 25, "fxsr_opt" }, { 26, "pdpe1gb" },
    { 27, "rdtscp" },  { 29, "lm" }, { 30, "3dnowext" }, { 31, "3dnow" },
};

static const struct flag ecx1[] = {
    { 0, "pni" },     { 1, "pclmulqdq" },   { 2, "dtes64" },  { 3, "monitor" },
    { 4, "ds_cpl" },  { 5, "vmx" },         { 6, "smx" },     { 7, "est" },
    { 8, "tm2" },     { 9, "ssse3" },       { 10, "cid" },    { 11, "sdbg" },
    { 12, "fma" },    { 13, "cx16" },       { 14, "xtpr" },   { 15, "pdcm" },
    { 17, "pcid" },   { 18, "dca" },        { 19, "sse4_1" }, { 20, "sse4_2" },
    { 21, "x2apic" }, { 22, "movbe" },      { 23, "popcnt" }, { 24, "tsc_deadline_timer" },
    { 25, "aes" },    { 26, "xsave" },      { 28, "avx" },    { 29, "f16c" },
    { 30, "rdrand" }, { 31, "hypervisor" },
};

static const struct flag ecx81[] = {
    { 0, "lahf_lm" },       { 1, "cmp_legacy" }, { 2, "svm" },   { 3, "extapic" },
    { 4, "cr8_legacy" },    { 5, "abm" },        { 6, "sse4a" }, { 7, "misalignsse" },
    { 8, "3dnowprefetch" }, { 9, "osvw" },       { 10, "ibs" },  { 11, "xop" },
    { 12, "skinit" },       { 13, "wdt" },       { 15, "lwp" },  { 16, "fma4" },
    { 21, "tbm" },          { 22, "topoext" },
};

static const struct flag ebx7[] = {
    { 0, "fsgsbase" }, { 1, "tsc_adjust" }, { 3, "bmi1" }, { 4, "hle" },      { 5, "avx2" },
    { 7, "smep" },     { 8, "bmi2" },       { 9, "erms" }, { 10, "invpcid" }, { 11, "rtm" },
    { 16, "avx512f" }, { 18, "rdseed" },    { 19, "adx" }, { 20, "smap" },    { 23, "clflushopt" },
    { 24, "clwb" },    { 29, "sha_ni" },
};

static const struct flag ecx7[] = {
    { 1, "avx512vbmi" },
    { 2, "umip" },
    { 3, "pku" },
    { 22, "rdpid" },
};

static void put_flags(struct synthfs_buf *b, uint32_t word, const struct flag *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (word & (1u << t[i].bit))
            synthfs_printf(b, " %s", t[i].name);
}

#define PUT_FLAGS(b, w, t) put_flags(b, w, t, sizeof(t) / sizeof(t[0]))

static void regs_to_text(char *out, const uint32_t *regs, int n)
{
    for (int i = 0; i < n; i++)
        memcpy(out + 4 * i, &regs[i], 4); /* x86 is little-endian, as CPUID's text */
    out[4 * n] = '\0';
}

void procfs_cpu_probe(struct procfs_cpu *c,
                      void (*cpuid)(uint32_t leaf, uint32_t sub, uint32_t out[4]), uint64_t khz)
{
    uint32_t r[4];
    memset(c, 0, sizeof(*c));
    c->khz = khz;
    c->phys_bits = 36;
    c->virt_bits = 48;
    c->ncpus = 1;
    cpuid(0, 0, r);
    c->max_leaf = r[0];
    uint32_t v[3] = { r[1], r[3], r[2] }; /* EBX EDX ECX */
    regs_to_text(c->vendor, v, 3);
    if (c->max_leaf >= 1) {
        cpuid(1, 0, r);
        uint32_t fam = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf;
        if (fam == 0xf)
            fam += (r[0] >> 20) & 0xff;
        if (fam == 0x6 || fam >= 0xf)
            model |= ((r[0] >> 16) & 0xf) << 4;
        c->family = fam;
        c->model = model;
        c->stepping = r[0] & 0xf;
        c->clflush = ((r[1] >> 8) & 0xff) * 8;
        c->ecx1 = r[2];
        c->edx1 = r[3];
    }
    if (c->max_leaf >= 7) {
        cpuid(7, 0, r);
        c->ebx7 = r[1];
        c->ecx7 = r[2];
    }
    cpuid(0x80000000u, 0, r);
    uint32_t max_ext = r[0];
    if (max_ext >= 0x80000001u) {
        cpuid(0x80000001u, 0, r);
        c->ecx81 = r[2];
        c->edx81 = r[3];
    }
    if (max_ext >= 0x80000004u) {
        uint32_t brand[12];
        for (uint32_t i = 0; i < 3; i++)
            cpuid(0x80000002u + i, 0, brand + 4 * i);
        char text[49];
        regs_to_text(text, brand, 12);
        const char *s = text;
        while (*s == ' ')
            s++;
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == ' ')
            n--;
        memcpy(c->model_name, s, n);
        c->model_name[n] = '\0';
    }
    if (max_ext >= 0x80000008u) {
        cpuid(0x80000008u, 0, r);
        c->phys_bits = r[0] & 0xff;
        c->virt_bits = (r[0] >> 8) & 0xff;
    }
}

int procfs_fmt_cpuinfo(struct synthfs_buf *b, const struct procfs_cpu *c)
{
    uint64_t mhz = c->khz / 1000, mhz_frac = c->khz % 1000;
    uint64_t bogo = c->khz * 2 / 10; /* hundredths: two loops per cycle, as Linux estimates */
    synthfs_printf(b,
                   "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
                   "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %llu.%03llu\n"
                   "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n"
                   "apicid\t\t: %u\ninitial apicid\t: %u\nfpu\t\t: %s\nfpu_exception\t: %s\n"
                   "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
                   c->processor, c->vendor, c->family, c->model,
                   c->model_name[0] ? c->model_name : "unknown", c->stepping,
                   (unsigned long long)mhz, (unsigned long long)mhz_frac, c->ncpus, c->processor,
                   c->ncpus, c->apicid, c->apicid, (c->edx1 & 1) ? "yes" : "no",
                   (c->edx1 & 1) ? "yes" : "no", c->max_leaf);
    PUT_FLAGS(b, c->edx1, edx1);
    PUT_FLAGS(b, c->edx81, edx81);
    PUT_FLAGS(b, c->ecx1, ecx1);
    PUT_FLAGS(b, c->ecx81, ecx81);
    PUT_FLAGS(b, c->ebx7, ebx7);
    PUT_FLAGS(b, c->ecx7, ecx7);
    return synthfs_printf(b,
                          "\nbogomips\t: %llu.%02llu\nclflush size\t: %u\ncache_alignment\t: %u\n"
                          "address sizes\t: %u bits physical, %u bits virtual\n"
                          "power management:\n\n",
                          (unsigned long long)(bogo / 100), (unsigned long long)(bogo % 100),
                          c->clflush, c->clflush, c->phys_bits, c->virt_bits);
}
