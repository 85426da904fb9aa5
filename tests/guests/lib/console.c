/* Test guest console and exit: bytes to MICA_PORT_DEBUG_CONSOLE, a small printf, and the status
 * byte to MICA_PORT_DEBUG_EXIT. */
#include "tests/guests/lib/guest.h"

void console_putc(char c)
{
    outb(MICA_PORT_DEBUG_CONSOLE, (uint8_t)c);
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

/* Prints v in base 10 or 16, '-' first if neg, in at least width characters (padded with pad:
 * spaces before the sign, zeros after it); returns the count. */
static int put_number(uint32_t v, bool neg, unsigned base, unsigned width, char pad)
{
    char buf[12];
    unsigned n = 0;
    int count = 0;

    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    unsigned len = n + neg;
    if (neg && pad == '0') {
        console_putc('-');
        count++;
    }
    for (; width > len; width--, count++)
        console_putc(pad);
    if (neg && pad != '0') {
        console_putc('-');
        count++;
    }
    while (n) {
        console_putc(buf[--n]);
        count++;
    }
    return count;
}

int vprintf(const char *fmt, va_list ap)
{
    int count = 0;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            console_putc(*fmt);
            count++;
            continue;
        }
        const char *start = fmt++;
        char pad = ' ';
        unsigned width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (unsigned)(*fmt++ - '0');

        switch (*fmt) {
        case 'd': {
            int32_t v = va_arg(ap, int32_t);
            uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
            count += put_number(mag, v < 0, 10, width, pad);
            break;
        }
        case 'u':
            count += put_number(va_arg(ap, uint32_t), false, 10, width, pad);
            break;
        case 'x':
            count += put_number(va_arg(ap, uint32_t), false, 16, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++, count++)
                console_putc(*s);
            break;
        }
        case 'c':
            console_putc((char)va_arg(ap, int));
            count++;
            break;
        case '%':
            console_putc('%');
            count++;
            break;
        default: /* unknown: print the directive as written */
            for (; start <= fmt && *start; start++, count++)
                console_putc(*start);
            if (!*fmt)
                return count;
            break;
        }
    }
    return count;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void guest_exit(uint8_t status)
{
    outb(MICA_PORT_DEBUG_EXIT, status);
    halt_forever();
}
