/* The printf-family formatter: formats into a caller's buffer and never writes past it.
 * Pure C with no state, so the same file is unit-tested on the host (tests/unit/test_format.c). */
#include "kernel/format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
    char *buf;
    size_t size;
    size_t len; /* characters the complete output needs, written or not */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left;
    bool zero;
    bool plus;
    bool space;
    int width;
    int precision; /* -1: none */
};

static void out_padded(struct out *o, const struct spec *sp, const char *prefix, const char *digits,
                       int ndigits)
{
    int nprefix = 0;
    while (prefix[nprefix])
        nprefix++;
    int nzeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
    int body = nprefix + nzeros + ndigits;
    int pad = sp->width > body ? sp->width - body : 0;

    if (sp->zero && !sp->left && sp->precision < 0) {
        nzeros += pad;
        pad = 0;
    }
    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < nprefix; i++)
        out_char(o, prefix[i]);
    out_repeat(o, '0', nzeros);
    for (int i = 0; i < ndigits; i++)
        out_char(o, digits[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static void out_unsigned(struct out *o, const struct spec *sp, uint64_t v, unsigned base,
                         bool upper, const char *prefix)
{
    const char *digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24] = {0};
    int n = sizeof(tmp);

    if (v == 0 && sp->precision == 0) {
        out_padded(o, sp, prefix, tmp, 0);
        return;
    }
    do {
        tmp[--n] = digit_set[v % base];
        v /= base;
    } while (v);
    out_padded(o, sp, prefix, tmp + n, (int)sizeof(tmp) - n);
}

static void out_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    int n = 0;
    while (s[n] && (sp->precision < 0 || n < sp->precision))
        n++;
    int pad = sp->width > n ? sp->width - n : 0;
    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LONGLONG, LEN_SIZE };

static uint64_t fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:
        return va_arg(*ap, unsigned long);
    case LEN_LONGLONG:
        return va_arg(*ap, unsigned long long);
    case LEN_SIZE:
        return va_arg(*ap, size_t);
    case LEN_INT:
        break;
    }
    return va_arg(*ap, unsigned int);
}

static int64_t fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR:
        return (signed char)va_arg(*ap, int);
    case LEN_SHORT:
        return (short)va_arg(*ap, int);
    case LEN_LONG:
        return va_arg(*ap, long);
    case LEN_LONGLONG:
        return va_arg(*ap, long long);
    case LEN_SIZE:
        return (int64_t)va_arg(*ap, size_t);
    case LEN_INT:
        break;
    }
    return va_arg(*ap, int);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = {.buf = buf, .size = size, .len = 0};
    va_list ap;
    va_copy(ap, ap_in);

    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        const char *start = p++;
        struct spec sp = {.precision = -1};
        for (;; p++) {
            if (*p == '-')
                sp.left = true;
            else if (*p == '0')
                sp.zero = true;
            else if (*p == '+')
                sp.plus = true;
            else if (*p == ' ')
                sp.space = true;
            else
                break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            sp.precision = 0;
            if (*p == '*') {
                sp.precision = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    sp.precision = sp.precision * 10 + (*p++ - '0');
            }
        }
        enum length len = LEN_INT;
        if (*p == 'h') {
            len = LEN_SHORT;
            if (*++p == 'h') {
                len = LEN_CHAR;
                p++;
            }
        } else if (*p == 'l') {
            len = LEN_LONG;
            if (*++p == 'l') {
                len = LEN_LONGLONG;
                p++;
            }
        } else if (*p == 'z') {
            len = LEN_SIZE;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = fetch_signed(&ap, len);
            const char *prefix = v < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "";
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            out_unsigned(&o, &sp, mag, 10, false, prefix);
            break;
        }
        case 'u':
            out_unsigned(&o, &sp, fetch_unsigned(&ap, len), 10, false, "");
            break;
        case 'x':
        case 'X':
            out_unsigned(&o, &sp, fetch_unsigned(&ap, len), 16, *p == 'X', "");
            break;
        case 'o':
            out_unsigned(&o, &sp, fetch_unsigned(&ap, len), 8, false, "");
            break;
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            out_unsigned(&o, &sp, v, 16, false, "0x");
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            struct spec one = sp;
            one.precision = 1;
            char s[2] = {c, 0};
            out_string(&o, &one, s);
            break;
        }
        case 's':
            out_string(&o, &sp, va_arg(ap, const char *));
            break;
        case '%':
            out_char(&o, '%');
            break;
        default:
            /* Unknown or truncated conversion: print it as written. */
            for (const char *q = start; q <= p && *q; q++)
                out_char(&o, *q);
            if (!*p)
                p--;
            break;
        }
    }
    va_end(ap);
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
