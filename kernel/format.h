/* The freestanding printf-family formatter (kernel/format.c), shared by the kernel's logger and,
 * unchanged, by the host unit tests. */
#ifndef MICA_KERNEL_FORMAT_H
#define MICA_KERNEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Supported: %d %i %u %x %X %o %c %s %p %% with the flags '-', '0', ' ', '+', a width (or '*'),
 * a precision for %s and the integers, and the length modifiers hh h l ll z. Always terminates
 * the buffer when size > 0 and returns the length the full output would have had. An unknown
 * conversion is printed literally, so a bad format string is visible instead of silent. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
