/**
 * @file kernel/version.h
 * @brief The system's name and version, shown in the boot banner (and by uname).
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define KERNEL_NAME    "Kestrel" /**< System name. */
#define KERNEL_VERSION "0.1.0"   /**< Software version. */

#endif
