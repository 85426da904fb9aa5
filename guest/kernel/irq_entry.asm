; The guest kernel's IRQ entry stubs: one per PIC line (vectors 0x20-0x2f), each saving the
; registers and calling irq_handle(line) in guest/kernel/platform.c, which also does
; return_from_interrupt's software dispatch under mica.

%define SEL_DATA 0x10

extern irq_handle

section .text
bits 32

%macro IRQ_STUB 1
irq_stub_%1:
    push %1
    jmp irq_common
%endmacro

%assign line 0
%rep 16
IRQ_STUB line
%assign line line + 1
%endrep

irq_common:
    pushad
    cld
    push dword [esp + 32]                   ; the line pushed by the stub
    call irq_handle
    add esp, 4
    popad
    add esp, 4                              ; drop the line
    iret

section .rodata
global irq_stubs
irq_stubs:
%assign line 0
%rep 16
    dd irq_stub_ %+ line
%assign line line + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
