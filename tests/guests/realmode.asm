; Flat real-mode test guest (guest_flat=0x7c00): prints through the debug console, checks that
; CR0.PE reads 0, and reports its verdict on the debug-exit port.

bits 16
org 0x7c00

%define DEBUG_CONSOLE 0xe9
%define DEBUG_EXIT    0xf4
%define GUEST_PASS    0x10
%define GUEST_FAIL    0x11

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    mov si, message
.print:
    lodsb
    test al, al
    jz .printed
    out DEBUG_CONSOLE, al
    jmp .print
.printed:
    mov eax, cr0
    test al, 1                          ; CR0.PE: still real mode?
    jnz .fail
    mov al, GUEST_PASS
    out DEBUG_EXIT, al
    jmp .halt
.fail:
    mov al, GUEST_FAIL
    out DEBUG_EXIT, al
.halt:
    hlt
    jmp .halt

message: db "realmode: hello from real mode at 0000:7c00", 10, 0
