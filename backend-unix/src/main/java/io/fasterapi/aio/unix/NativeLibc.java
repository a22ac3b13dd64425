package io.fasterapi.aio.unix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Looks up libc functions for the binding classes ({@link Posix}, and each backend's own), with
 * errno captured by the linker at the call ({@code captureCallState}), never read afterwards, and
 * translated here, once, onto the portable numbers of {@link io.fasterapi.aio.Errno} (the
 * identity on Linux; see {@link ErrnoTable}).
 */
public final class NativeLibc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ErrnoTable ERRNOS = errnoTable();

    private NativeLibc() {
    }

    /** A downcall whose first parameter is the call-state segment that receives errno. */
    @SuppressWarnings("restricted")
    public static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no function " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(address, fd, options);
    }

    /** Whether libc exports {@code name} (to probe optional calls such as accept4). */
    public static boolean has(String name) {
        return LINKER.defaultLookup().find(name).isPresent();
    }

    /** The layout of the segment that receives errno; allocate one per loop from its arena. */
    public static StructLayout callStateLayout() {
        return CALL_STATE;
    }

    /** The errno the last call through {@code state} captured, as a portable {@link io.fasterapi.aio.Errno} number. */
    public static int errno(MemorySegment state) {
        return ERRNOS.portable((int) ERRNO.get(state, 0L));
    }

    /** The running system's errno numbering (Linux's where there is no table: nothing to translate). */
    public static ErrnoTable errnoTable() {
        SocketConstants sc = SocketConstants.current();
        return sc != null ? sc.errnos() : ErrnoTable.LINUX;
    }

    /** Turns an unexpected failure of an exact invocation into an error: bindings never throw checked. */
    public static AssertionError fail(String call, Throwable t) {
        return new AssertionError("FFM call " + call + " failed unexpectedly", t);
    }
}
