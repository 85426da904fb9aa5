# Bad serial, x2APIC and clock source options: one message naming each, then the fatal= action.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("bad-serial", "qemu-bios", "build/test-badserial.iso",
               [r"bad command line option 'com1=0x3f8,56000': baud rate must divide 115200",
                r"bad command line option 'com2=0x10000': expected PORT\[,BAUD\] with an I/O port",
                r"bad command line option 'console=com3': expected com1, com2 or spcr",
                r"bad command line option 'x2apic=on': expected auto or off",
                r"bad command line option 'clocksource=tsc': expected auto, pit, hpet or cpuid",
                r"fatal: 5 bad command line options"],
               end="fatal")
