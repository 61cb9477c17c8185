/*
 * sfs_util.c - lowest layer of libsfs: checksums, name hashing, error text,
 * the log and clock hooks.
 *
 * Interface: sfs_crc32(), sfs_name_hash(), sfs_log(), sfs_corrupt(), sfs_now(),
 * sfs_strerror(). No state; safe to call without the volume lock.
 */
#include "sfs_priv.h"

/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as zlib's crc32(): four
 * bits at a time from a 16-entry table (64 bytes), fast enough for journal
 * descriptor and commit blocks without a 1 KiB table. */
uint32_t sfs_crc32(uint32_t crc, const void *buf, size_t len)
{
    static const uint32_t nib[16] = {
        0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
        0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
        0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
    };
    const uint8_t *p = buf;
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nib[crc & 15];
        crc = (crc >> 4) ^ nib[crc & 15];
    }
    return ~crc;
}

/* FNV-1a, 32 bits: the directory index key. Part of the on-disk format. */
uint32_t sfs_name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)name[i];
        h *= 16777619u;
    }
    return h;
}

void sfs_log(struct sfs *fs, const char *msg, uint64_t a, uint64_t b)
{
    if (fs->cfg.log)
        fs->cfg.log(fs->cfg.hook_ctx, msg, a, b);
}

int sfs_corrupt(struct sfs *fs, const char *msg, uint64_t a, uint64_t b)
{
    sfs_log(fs, msg, a, b);
    return SFS_ECORRUPT;
}

uint64_t sfs_now(struct sfs *fs)
{
    if (fs->cfg.clock)
        return fs->cfg.clock(fs->cfg.hook_ctx);
    return fs->cfg.clock_ns ? fs->cfg.clock_ns(fs->cfg.hook_ctx) / 1000000000u : 0;
}

struct sfs_ts sfs_ts_fit(const struct sfs *fs, struct sfs_ts t)
{
    if (!sfs_has_posix(fs)) {
        t.nsec = 0;
        return t;
    }
    if (t.sec < SFS_TIME_SEC_MIN)
        t = (struct sfs_ts){ SFS_TIME_SEC_MIN, 0 };
    else if (t.sec > SFS_TIME_SEC_MAX)
        t = (struct sfs_ts){ SFS_TIME_SEC_MAX, 999999999u };
    return t;
}

struct sfs_ts sfs_now_ts(struct sfs *fs)
{
    struct sfs_ts t = { 0, 0 };
    if (fs->cfg.clock_ns) {
        uint64_t ns = fs->cfg.clock_ns(fs->cfg.hook_ctx);
        t.sec = (int64_t)(ns / 1000000000u);
        t.nsec = (uint32_t)(ns % 1000000000u);
    } else {
        t.sec = (int64_t)sfs_now(fs);
    }
    return sfs_ts_fit(fs, t);
}

size_t sfs_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

const char *sfs_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case SFS_EPERM:
        return "operation not permitted";
    case SFS_ENOENT:
        return "no such file or directory";
    case SFS_EIO:
        return "I/O error";
    case SFS_ENXIO:
        return "no such device or address";
    case SFS_EBADF:
        return "bad file handle";
    case SFS_ENOMEM:
        return "not enough memory";
    case SFS_EBUSY:
        return "resource busy";
    case SFS_EEXIST:
        return "file exists";
    case SFS_ENOTDIR:
        return "not a directory";
    case SFS_EISDIR:
        return "is a directory";
    case SFS_EINVAL:
        return "invalid argument";
    case SFS_EFBIG:
        return "file too large";
    case SFS_ENOSPC:
        return "no space left on device";
    case SFS_EMLINK:
        return "too many links";
    case SFS_ENAMETOOLONG:
        return "name too long";
    case SFS_ENOTEMPTY:
        return "directory not empty";
    case SFS_EROFS:
        return "read-only file system";
    case SFS_ELOOP:
        return "too many levels of symbolic links";
    case SFS_ENOTSUP:
        return "unsupported format version or feature";
    case SFS_ECORRUPT:
        return "file system is corrupt";
    case SFS_EMEDIUMTYPE:
        return "not an SFS file system";
    default:
        return "unknown error";
    }
}
