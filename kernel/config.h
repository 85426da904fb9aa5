/* The running kernel's configuration (from the command line) and what it learned at boot. */
#ifndef MICA_KERNEL_CONFIG_H
#define MICA_KERNEL_CONFIG_H

#include "kernel/cmdline.h"

extern struct kernel_config kernel_config;

#endif
