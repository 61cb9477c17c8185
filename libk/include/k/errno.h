/**
 * @file k/errno.h
 * @brief The one error-code list shared by every kernel library.
 *
 * Functions return 0 (or a non-negative count) on success and a negated code from
 * this list on failure: `return -ENOENT;`. The numbers match Linux/POSIX so they
 * can pass unchanged through libsfs (whose SFS_E* codes use the same values) and,
 * later, through system calls to user space.
 */
#ifndef K_ERRNO_H
#define K_ERRNO_H

#define EPERM        1   /**< Operation not permitted. */
#define ENOENT       2   /**< No such file or directory. */
#define ESRCH        3   /**< No such process. */
#define EINTR        4   /**< Interrupted call. */
#define EIO          5   /**< Input/output error. */
#define ENXIO        6   /**< No such device or address. */
#define E2BIG        7   /**< Argument list too long. */
#define ENOEXEC      8   /**< Exec format error. */
#define EBADF        9   /**< Bad file descriptor. */
#define ECHILD       10  /**< No child processes. */
#define EAGAIN       11  /**< Try again (resource temporarily unavailable). */
#define ENOMEM       12  /**< Out of memory. */
#define EACCES       13  /**< Permission denied. */
#define EFAULT       14  /**< Bad address. */
#define ENOTBLK      15  /**< Block device required. */
#define EBUSY        16  /**< Device or resource busy. */
#define EEXIST       17  /**< File exists. */
#define EXDEV        18  /**< Cross-device link. */
#define ENODEV       19  /**< No such device. */
#define ENOTDIR      20  /**< Not a directory. */
#define EISDIR       21  /**< Is a directory. */
#define EINVAL       22  /**< Invalid argument. */
#define ENFILE       23  /**< Too many open files in the system. */
#define EMFILE       24  /**< Too many open files. */
#define ENOTTY       25  /**< Inappropriate ioctl for device. */
#define EFBIG        27  /**< File too large. */
#define ENOSPC       28  /**< No space left on device. */
#define ESPIPE       29  /**< Illegal seek. */
#define EROFS        30  /**< Read-only file system. */
#define EMLINK       31  /**< Too many links. */
#define EPIPE        32  /**< Broken pipe. */
#define ERANGE       34  /**< Result out of range. */
#define ENAMETOOLONG 36  /**< File name too long. */
#define ENOSYS       38  /**< Function not implemented. */
#define ENOTEMPTY    39  /**< Directory not empty. */
#define ELOOP        40  /**< Too many levels of symbolic links. */
#define EOVERFLOW    75  /**< Value too large for the data type. */
#define ENOTSUP      95  /**< Not supported (e.g. a newer on-disk format). */
#define EUCLEAN      117 /**< Structure needs cleaning (corrupt on-disk data). */
#define ETIMEDOUT    110 /**< Operation timed out. */
#define EMEDIUMTYPE  124 /**< Wrong medium type (not the expected file system). */

/**
 * @brief Short English text for an error code, as strerror() would give.
 * @param err a code from this file, positive or negative.
 * @return a static string; "Unknown error" for codes not listed here.
 */
const char *k_strerror(int err);

#endif
