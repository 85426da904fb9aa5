# Started by a Multiboot (v1) loader instead of Multiboot2: a clear message, then a halt.
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import emu

emu.run_expect("not-multiboot2", "qemu-bios", "build/test-multiboot1.iso",
               [r"not started by a Multiboot2 boot loader \(EAX=0x2badb002\)"], end="halt")
