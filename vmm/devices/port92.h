/* System control port A (0x92, "fast A20 and reset"): A20 is always on; setting bit 0 asks for a
 * CPU reset, which mica treats as the guest ending (it is stopped and reported). */
#ifndef MICA_VMM_DEVICES_PORT92_H
#define MICA_VMM_DEVICES_PORT92_H

#define PORT92_PORT       0x92
#define PORT92_FAST_RESET 0x01
#define PORT92_A20_ENABLE 0x02

struct guest;
int port92_attach(struct guest *guest);

#endif
