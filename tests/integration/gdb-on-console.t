# gdb=com2 with COM2 moved onto the console's port (com2=0x3f8): a message naming the clash and
# the fatal= action, instead of the GDB stub and the console fighting over one UART.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("gdb-on-console", "bochs", "build/test-gdb-on-console.iso",
               [r"fatal: gdb=com2: COM2 \(port 0x3f8\) is also the console; give COM2 its own "
                r"port \(com2=PORT\) or move the console \(console=\)"],
               end="fatal")
