; Test guest exceptions: the entry stubs for vectors 0-31 and catch_fault(), which runs a function
; and, if it faults, resumes after the call with the vector (setjmp-like, no nesting).

%define SEL_DATA 0x10

extern guest_unexpected_exception

section .data
global fault_vector, fault_error, fault_eip
fault_vector: dd 0                          ; the last fault caught by catch_fault()
fault_error:  dd 0                          ; its error code (0 if the vector has none)
fault_eip:    dd 0                          ; the faulting instruction
fault_armed:  dd 0                          ; 1 while catch_fault() runs its function
fault_esp:    dd 0                          ; catch_fault()'s stack pointer to resume with

section .text
bits 32

; Vectors with an error code (8, 10-14, 17, 21, 29, 30) get it from the CPU; the others push 0,
; so that every stub leaves [vector, error, eip, cs, eflags] on the stack.
%macro STUB 1
isr_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push 0
%endif
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 32
STUB v
%assign v v + 1
%endrep

isr_common:
    cld
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    cmp dword [fault_armed], 0
    je .unexpected
    mov eax, [esp]
    mov [fault_vector], eax
    mov eax, [esp + 4]
    mov [fault_error], eax
    mov eax, [esp + 8]
    mov [fault_eip], eax
    mov esp, [fault_esp]                    ; drop the faulting context
    mov eax, [fault_vector]
    inc eax
    jmp catch_fault.resume
.unexpected:
    push esp                                ; struct exception_frame *
    call guest_unexpected_exception         ; does not return
.halt:
    cli
    hlt
    jmp .halt

; int catch_fault(void (*fn)(void *), void *arg): 0 if fn(arg) returned, else the vector + 1.
global catch_fault
catch_fault:
    push ebp
    push ebx
    push esi
    push edi
    mov eax, [esp + 20]                     ; fn
    mov edx, [esp + 24]                     ; arg
    mov [fault_esp], esp
    mov dword [fault_armed], 1
    push edx
    call eax
    add esp, 4
    xor eax, eax
.resume:
    mov dword [fault_armed], 0
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret

section .rodata
global isr_stubs
isr_stubs:
%assign v 0
%rep 32
    dd isr_ %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
