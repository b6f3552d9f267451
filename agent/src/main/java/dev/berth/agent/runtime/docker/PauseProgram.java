package dev.berth.agent.runtime.docker;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The pod sandbox's "pause" program, generated as a minimal static ELF executable so that no C
 * toolchain is needed to build the infra image. It installs handlers for SIGTERM and SIGINT that
 * exit with status 0 (PID 1 ignores signals it has no handler for, so without them a stop would
 * always end in SIGKILL), then waits for signals forever. As PID 1 of a pod whose containers
 * share its PID namespace it also inherits orphans, so on SIGCHLD it reaps every exited child
 * ({@code wait4(-1, NULL, WNOHANG, NULL)} until none is left) and zombies do not pile up.
 *
 * <p>Layout of the file: the 64-byte ELF header, one 56-byte {@code PT_LOAD} program header
 * mapping the whole file read+execute at {@link #BASE}, the code, and the {@code struct
 * sigaction} the code passes to {@code rt_sigaction}. The kernel's {@code struct sigaction} is
 * the same on both architectures: handler, flags, restorer, mask (four 8-byte words).
 */
public final class PauseProgram {
    /** Where the file is mapped; below 4 GiB so that x86_64 code can load addresses as 32-bit immediates. */
    static final long BASE = 0x400000L;
    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    /** File offset (and offset from {@link #BASE}) of the first instruction. */
    static final int CODE_OFFSET = EHDR_SIZE + PHDR_SIZE;

    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;
    private static final int SIGCHLD = 17;
    private static final int WNOHANG = 1;
    private static final long SA_NOCLDSTOP = 0x00000001L;
    private static final long SA_RESTART = 0x10000000L;
    /** sa_flags bit: sa_restorer holds the address to return to from the handler. */
    private static final long SA_RESTORER = 0x04000000L;

    private PauseProgram() {
    }

    /** The executable for a Go architecture name ({@code amd64} or {@code arm64}). */
    public static byte[] forArchitecture(String goArch) {
        return switch (goArch) {
            case "amd64" -> x86_64();
            case "arm64" -> aarch64();
            default -> throw new IllegalArgumentException("architecture " + goArch
                    + " is not supported by the infra image: it must be amd64 or arm64");
        };
    }

    /** x86_64 Linux: syscall number in eax, arguments in rdi, rsi, rdx, r10; {@code syscall}. */
    static byte[] x86_64() {
        Code c = new Code(ByteOrder.LITTLE_ENDIAN);
        int[][] calls = {{SIGTERM, 0}, {SIGINT, 0}, {SIGCHLD, 0}};
        for (int[] call : calls) {
            c.bytes(0xB8).u32(13);            // mov eax, 13        ; rt_sigaction
            c.bytes(0xBF).u32(call[0]);       // mov edi, signal
            c.bytes(0xBE);                    // mov esi, &act      ; patched below
            call[1] = c.size();
            c.u32(0);
            c.bytes(0x31, 0xD2);              // xor edx, edx       ; no old action
            c.bytes(0x41, 0xBA).u32(8);       // mov r10d, 8        ; sizeof(sigset_t)
            c.bytes(0x0F, 0x05);              // syscall
        }
        int loop = c.size();
        c.bytes(0xB8).u32(34);                // loop: mov eax, 34  ; pause
        c.bytes(0x0F, 0x05);                  // syscall            ; returns after a handled signal
        c.bytes(0xEB, (loop - (c.size() + 2)) & 0xFF); // jmp loop
        int exit = c.size();
        c.bytes(0xB8).u32(231);               // exit: mov eax, 231 ; exit_group
        c.bytes(0x31, 0xFF);                  // xor edi, edi       ; status 0
        c.bytes(0x0F, 0x05);                  // syscall
        int reap = c.size();
        c.bytes(0xB8).u32(61);                // reap: mov eax, 61  ; wait4
        c.bytes(0xBF).u32(-1);                // mov edi, -1        ; any child
        c.bytes(0x31, 0xF6);                  // xor esi, esi       ; no status wanted
        c.bytes(0xBA).u32(WNOHANG);           // mov edx, WNOHANG
        c.bytes(0x45, 0x31, 0xD2);            // xor r10d, r10d     ; no rusage
        c.bytes(0x0F, 0x05);                  // syscall
        c.bytes(0x48, 0x85, 0xC0);            // test rax, rax      ; reaped one (pid > 0)?
        c.bytes(0x7F, (reap - (c.size() + 2)) & 0xFF); // jg reap ; then look for another
        c.bytes(0xC3);                        // ret                ; to sa_restorer
        int restorer = c.size();
        c.bytes(0xB8).u32(15);                // restorer: mov eax, 15 ; rt_sigreturn
        c.bytes(0x0F, 0x05);                  // syscall
        c.align(8);
        int actExit = c.size();
        c.u64(addr(exit));                    // sa_handler
        c.u64(SA_RESTORER);                   // sa_flags
        c.u64(addr(restorer));                // sa_restorer (x86_64 needs one to return through)
        c.u64(0);                             // sa_mask: nothing blocked
        int actReap = c.size();
        c.u64(addr(reap));
        c.u64(SA_RESTORER | SA_NOCLDSTOP | SA_RESTART);
        c.u64(addr(restorer));
        c.u64(0);
        for (int[] call : calls) {
            c.patch32(call[1], (int) addr(call[0] == SIGCHLD ? actReap : actExit));
        }
        return elf(0x3E, c.toByteArray(), ByteOrder.LITTLE_ENDIAN); // EM_X86_64
    }

    /**
     * aarch64 Linux: syscall number in x8, arguments in x0..x5; {@code svc #0}. There is no
     * {@code pause} syscall, so the loop uses {@code ppoll(NULL, 0, NULL, NULL, 0)}, which blocks
     * until a signal arrives.
     */
    static byte[] aarch64() {
        Code c = new Code(ByteOrder.LITTLE_ENDIAN);
        int[][] calls = {{SIGTERM, 0}, {SIGINT, 0}, {SIGCHLD, 0}};
        for (int[] call : calls) {
            c.u32(movz(8, 134));              // mov x8, #134       ; rt_sigaction
            c.u32(movz(0, call[0]));          // mov x0, #signal
            call[1] = c.size();
            c.u32(0);                         // adr x1, act        ; patched below
            c.u32(movz(2, 0));                // mov x2, #0         ; no old action
            c.u32(movz(3, 8));                // mov x3, #8         ; sizeof(sigset_t)
            c.u32(SVC0);                      // svc #0
        }
        int loop = c.size();
        c.u32(movz(8, 73));                   // loop: mov x8, #73  ; ppoll
        for (int r = 0; r <= 4; r++) {
            c.u32(movz(r, 0));                // mov x0..x4, #0     ; no fds, no timeout, no mask
        }
        c.u32(SVC0);                          // svc #0             ; returns after a handled signal
        c.u32(branch(c.size(), loop));        // b loop
        int exit = c.size();
        c.u32(movz(8, 94));                   // exit: mov x8, #94  ; exit_group
        c.u32(movz(0, 0));                    // mov x0, #0         ; status 0
        c.u32(SVC0);                          // svc #0
        int reap = c.size();
        c.u32(movz(8, 260));                  // reap: mov x8, #260 ; wait4
        c.u32(MOVN_X0_0);                     // mov x0, #-1        ; any child
        c.u32(movz(1, 0));                    // mov x1, #0         ; no status wanted
        c.u32(movz(2, WNOHANG));              // mov x2, #WNOHANG
        c.u32(movz(3, 0));                    // mov x3, #0         ; no rusage
        c.u32(SVC0);                          // svc #0
        c.u32(CMP_X0_0);                      // cmp x0, #0         ; reaped one (pid > 0)?
        c.u32(branchGt(c.size(), reap));      // b.gt reap          ; then look for another
        c.u32(RET);                           // ret                ; to the kernel's vDSO trampoline
        c.align(8);
        int actExit = c.size();
        c.u64(addr(exit));                    // sa_handler
        c.u64(0);                             // sa_flags: the kernel returns through the vDSO trampoline
        c.u64(0);                             // sa_restorer
        c.u64(0);                             // sa_mask
        int actReap = c.size();
        c.u64(addr(reap));
        c.u64(SA_NOCLDSTOP | SA_RESTART);
        c.u64(0);
        c.u64(0);
        for (int[] call : calls) {
            c.patch32(call[1], adr(1, (call[0] == SIGCHLD ? actReap : actExit) - call[1]));
        }
        return elf(0xB7, c.toByteArray(), ByteOrder.LITTLE_ENDIAN); // EM_AARCH64
    }

    /** MOVN X0, #0: X0 = ~0 = -1. */
    static final int MOVN_X0_0 = 0x92800000;
    /** SUBS XZR, X0, #0 (cmp x0, #0). */
    static final int CMP_X0_0 = 0xF100001F;
    /** RET (to X30). */
    static final int RET = 0xD65F03C0;

    /** B.GT target: 01010100 imm19 0 cond(1100), a signed word offset. */
    static int branchGt(int from, int to) {
        return 0x54000000 | ((((to - from) >> 2) & 0x7FFFF) << 5) | 0xC;
    }

    static final int SVC0 = 0xD4000001;

    /** MOVZ Xd, #imm16: 1 10 100101 00 imm16 Rd. */
    static int movz(int rd, int imm16) {
        if (imm16 < 0 || imm16 > 0xFFFF) {
            throw new IllegalArgumentException("movz immediate " + imm16 + " does not fit 16 bits");
        }
        return 0xD2800000 | (imm16 << 5) | rd;
    }

    /** ADR Xd, pc+offset: 0 immlo 10000 immhi Rd, a 21-bit signed byte offset. */
    static int adr(int rd, int offset) {
        return 0x10000000 | ((offset & 3) << 29) | (((offset >> 2) & 0x7FFFF) << 5) | rd;
    }

    /** B target: 000101 imm26, a signed word offset from this instruction. */
    static int branch(int from, int to) {
        return 0x14000000 | (((to - from) >> 2) & 0x3FFFFFF);
    }

    private static long addr(int codeOffset) {
        return BASE + CODE_OFFSET + codeOffset;
    }

    private static byte[] elf(int machine, byte[] code, ByteOrder order) {
        int size = CODE_OFFSET + code.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV, padding
        b.put(new byte[]{0x7F, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        b.putShort((short) 2);               // e_type: ET_EXEC
        b.putShort((short) machine);         // e_machine
        b.putInt(1);                         // e_version
        b.putLong(BASE + CODE_OFFSET);       // e_entry: the first instruction
        b.putLong(EHDR_SIZE);                // e_phoff: program headers follow the ELF header
        b.putLong(0);                        // e_shoff: no section headers
        b.putInt(0);                         // e_flags
        b.putShort((short) EHDR_SIZE);       // e_ehsize
        b.putShort((short) PHDR_SIZE);       // e_phentsize
        b.putShort((short) 1);               // e_phnum
        b.putShort((short) 64);              // e_shentsize
        b.putShort((short) 0);               // e_shnum
        b.putShort((short) 0);               // e_shstrndx
        // the one PT_LOAD segment: the whole file, readable and executable
        b.putInt(1);                         // p_type: PT_LOAD
        b.putInt(5);                         // p_flags: PF_R | PF_X
        b.putLong(0);                        // p_offset
        b.putLong(BASE);                     // p_vaddr
        b.putLong(BASE);                     // p_paddr
        b.putLong(size);                     // p_filesz
        b.putLong(size);                     // p_memsz
        b.putLong(0x1000);                   // p_align
        b.put(code);
        return b.array();
    }

    /** A growing code buffer with little helpers for emitting and patching. */
    private static final class Code {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;
        private byte[] patched;

        Code(ByteOrder order) {
            this.order = order;
        }

        int size() {
            return out.size();
        }

        Code bytes(int... values) {
            for (int v : values) {
                out.write(v);
            }
            return this;
        }

        Code u32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(order).putInt(v).array());
            return this;
        }

        Code u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(order).putLong(v).array());
            return this;
        }

        void align(int n) {
            while (out.size() % n != 0) {
                out.write(0);
            }
        }

        void patch32(int at, int v) {
            if (patched == null) {
                patched = out.toByteArray();
            } else {
                byte[] now = out.toByteArray();
                System.arraycopy(patched, 0, now, 0, patched.length);
                patched = now;
            }
            ByteBuffer.wrap(patched).order(order).putInt(at, v);
        }

        byte[] toByteArray() {
            byte[] now = out.toByteArray();
            if (patched != null) {
                System.arraycopy(patched, 0, now, 0, patched.length);
            }
            return now;
        }
    }
}
