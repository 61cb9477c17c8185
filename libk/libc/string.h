/**
 * @file string.h
 * @brief The freestanding kernel's string functions (libk/string.c).
 *
 * Only the kernel build sees this header (it is built with -nostdinc); host
 * builds use the C library's own <string.h>. These are exactly the functions the
 * libraries may call.
 */
#ifndef K_LIBC_STRING_H
#define K_LIBC_STRING_H

#include <stddef.h>

/**
 * @brief Copy @p n bytes; the areas must not overlap.
 * @param dst destination
 * @param src source
 * @param n   bytes
 * @return @p dst
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
/**
 * @brief Copy @p n bytes; the areas may overlap.
 * @param dst destination
 * @param src source
 * @param n   bytes
 * @return @p dst
 */
void *memmove(void *dst, const void *src, size_t n);
/**
 * @brief Fill @p n bytes with (unsigned char)@p c.
 * @param dst destination
 * @param c   the byte value
 * @param n   bytes
 * @return @p dst
 */
void *memset(void *dst, int c, size_t n);
/**
 * @brief Compare @p n bytes.
 * @param a first area
 * @param b second area
 * @param n bytes
 * @return <0, 0 or >0
 */
int memcmp(const void *a, const void *b, size_t n);
/**
 * @brief Length of a string.
 * @param s the string
 * @return bytes before the NUL
 */
size_t strlen(const char *s);
/**
 * @brief Length of a string, at most @p max.
 * @param s   the string
 * @param max the limit
 * @return bytes before the NUL, or @p max
 */
size_t strnlen(const char *s, size_t max);
/**
 * @brief Compare strings.
 * @param a first string
 * @param b second string
 * @return <0, 0 or >0
 */
int strcmp(const char *a, const char *b);
/**
 * @brief Compare at most @p n bytes of strings.
 * @param a first string
 * @param b second string
 * @param n most bytes compared
 * @return <0, 0 or >0
 */
int strncmp(const char *a, const char *b, size_t n);
/**
 * @brief First @p c in @p s (the NUL counts).
 * @param s the string
 * @param c the character
 * @return pointer or NULL
 */
char *strchr(const char *s, int c);
/**
 * @brief Last @p c in @p s (the NUL counts).
 * @param s the string
 * @param c the character
 * @return pointer or NULL
 */
char *strrchr(const char *s, int c);
/**
 * @brief First byte equal to @p c in the first @p n bytes of @p s.
 * @param s where to look
 * @param c the byte
 * @param n how many bytes
 * @return pointer or NULL
 */
void *memchr(const void *s, int c, size_t n);
/**
 * @brief First occurrence of @p needle in @p hay.
 * @param hay    where to look
 * @param needle what to find
 * @return pointer or NULL
 */
char *strstr(const char *hay, const char *needle);

#endif
