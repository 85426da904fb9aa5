/* POST diagnostic port 0x80: firmware and OS write progress codes (and use it as an I/O delay);
 * the last code is kept for the dump, nothing else happens. */
#ifndef MICA_VMM_DEVICES_POST_H
#define MICA_VMM_DEVICES_POST_H

#include <stdint.h>

#define POST_PORT 0x80

struct post_port {
    uint8_t last_code;
    uint64_t writes;
};

struct iobus;
int post_port_attach(struct post_port *dev, struct iobus *bus);

#endif
