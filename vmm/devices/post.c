/* POST port model: writes are recorded and otherwise ignored; reads return all ones, as on a PC
 * without a POST card. */
#include "vmm/devices/post.h"

#include "vmm/iobus.h"

static void post_port_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                         uint32_t *value)
{
    struct post_port *dev = device;
    (void)port;
    (void)size;
    if (dir == IO_IN) {
        *value = 0xffffffffu;
        return;
    }
    dev->last_code = (uint8_t)*value;
    dev->writes++;
}

int post_port_attach(struct post_port *dev, struct iobus *bus)
{
    dev->last_code = 0;
    dev->writes = 0;
    return iobus_register(bus, POST_PORT, 1, post_port_io, dev, "post");
}
