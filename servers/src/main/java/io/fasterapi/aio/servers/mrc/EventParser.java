package io.fasterapi.aio.servers.mrc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A strict parser for exactly one JSON shape, {@code {"userId": "...", "value": <number>}}: both
 * members once each, in either order, nothing else (RFC 8259 whitespace, string escapes, number
 * grammar). Allocation-free: the user id is decoded to UTF-8 into a reused array and the value is
 * kept as an exact decimal when it has one in micro-units.
 *
 * <p>Not thread-safe: one per loop.
 */
public final class EventParser {
    /** The longest user id, in UTF-8 bytes. */
    public static final int MAX_USER_ID = 256;
    /** Values below this magnitude with at most 6 decimals are exact micro-units. */
    static final long EXACT_LIMIT_MICROS = 1_000_000_000_000_000L; // 1e9 in micros

    private final byte[] user = new byte[MAX_USER_ID];
    private final byte[] key = new byte[16];
    private int userLength;
    private long micros;
    private boolean exact;
    private double value;

    private MemorySegment s;
    private long p, end;
    private int keyLength;

    /** Parses {@code length} bytes at {@code offset}; on success the getters describe the event. */
    public boolean parse(MemorySegment segment, long offset, long length) {
        s = segment;
        p = offset;
        end = offset + length;
        try {
            return object();
        } finally {
            s = null;
        }
    }

    /** The user id's UTF-8 bytes (the first {@link #userLength()} of them). */
    public byte[] user() {
        return user;
    }

    public int userLength() {
        return userLength;
    }

    /** The user id as a string (allocates). */
    public String userId() {
        return new String(user, 0, userLength, StandardCharsets.UTF_8);
    }

    /** Whether {@link #micros()} holds the value exactly. */
    public boolean exact() {
        return exact;
    }

    /** The value in millionths, when {@link #exact()}. */
    public long micros() {
        return micros;
    }

    /** The value as a double. */
    public double value() {
        return value;
    }

    private boolean object() {
        ws();
        if (!eat('{')) return false;
        boolean haveUser = false, haveValue = false;
        for (int member = 0; member < 2; member++) {
            ws();
            if (!string(key, true)) return false;
            ws();
            if (!eat(':')) return false;
            ws();
            if (is("userId") && !haveUser) {
                if (!string(user, false)) return false;
                haveUser = true;
            } else if (is("value") && !haveValue) {
                if (!number()) return false;
                haveValue = true;
            } else {
                return false;
            }
            ws();
            if (member == 0 && !eat(',')) return false;
        }
        if (!eat('}')) return false;
        ws();
        return p == end;
    }

    private boolean is(String k) {
        if (keyLength != k.length()) return false;
        for (int i = 0; i < keyLength; i++) {
            if (key[i] != k.charAt(i)) return false;
        }
        return true;
    }

    /** A JSON string decoded to UTF-8 into {@code into}; false when malformed or too long. */
    private boolean string(byte[] into, boolean isKey) {
        if (!eat('"')) return false;
        int n = 0;
        while (true) {
            if (p >= end) return false;
            int c = get(p++) & 0xFF;
            if (c == '"') break;
            if (c < 0x20) return false;
            if (c == '\\') {
                if (p >= end) return false;
                int e = get(p++);
                int cp;
                switch (e) {
                    case '"' -> cp = '"';
                    case '\\' -> cp = '\\';
                    case '/' -> cp = '/';
                    case 'b' -> cp = '\b';
                    case 'f' -> cp = '\f';
                    case 'n' -> cp = '\n';
                    case 'r' -> cp = '\r';
                    case 't' -> cp = '\t';
                    case 'u' -> {
                        cp = hex4();
                        if (cp < 0) return false;
                        if (cp >= 0xD800 && cp <= 0xDBFF) { // a high surrogate needs its low half
                            if (p + 1 >= end || get(p) != '\\' || get(p + 1) != 'u') return false;
                            p += 2;
                            int lo = hex4();
                            if (lo < 0xDC00 || lo > 0xDFFF) return false;
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                            return false;
                        }
                    }
                    default -> {
                        return false;
                    }
                }
                n = utf8(cp, into, n);
                if (n < 0) return false;
            } else {
                if (n >= into.length) return false;
                into[n++] = (byte) c; // UTF-8 bytes pass through as sent
            }
        }
        if (isKey) keyLength = n;
        else userLength = n;
        return true;
    }

    private int hex4() {
        if (end - p < 4) return -1;
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int c = get(p++);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v << 4 | d;
        }
        return v;
    }

    private static int utf8(int cp, byte[] to, int n) {
        int need = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n + need > to.length) return -1;
        switch (need) {
            case 1 -> to[n] = (byte) cp;
            case 2 -> {
                to[n] = (byte) (0xC0 | cp >> 6);
                to[n + 1] = (byte) (0x80 | cp & 0x3F);
            }
            case 3 -> {
                to[n] = (byte) (0xE0 | cp >> 12);
                to[n + 1] = (byte) (0x80 | cp >> 6 & 0x3F);
                to[n + 2] = (byte) (0x80 | cp & 0x3F);
            }
            default -> {
                to[n] = (byte) (0xF0 | cp >> 18);
                to[n + 1] = (byte) (0x80 | cp >> 12 & 0x3F);
                to[n + 2] = (byte) (0x80 | cp >> 6 & 0x3F);
                to[n + 3] = (byte) (0x80 | cp & 0x3F);
            }
        }
        return n + need;
    }

    /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept exactly in micro-units when possible. */
    private boolean number() {
        long from = p;
        boolean negative = eat('-');
        long mantissa = 0;
        int scale = 0;
        boolean fits = true; // every significant digit went into mantissa
        if (p >= end || !isDigit(p)) return false;
        if (get(p) == '0') {
            p++;
        } else {
            while (p < end && isDigit(p)) {
                fits &= mantissa <= (Long.MAX_VALUE - 9) / 10;
                if (fits) mantissa = mantissa * 10 + (get(p) - '0');
                p++;
            }
        }
        if (p < end && get(p) == '.') {
            p++;
            if (p >= end || !isDigit(p)) return false;
            while (p < end && isDigit(p)) {
                fits &= mantissa <= (Long.MAX_VALUE - 9) / 10;
                if (fits) {
                    mantissa = mantissa * 10 + (get(p) - '0');
                    scale++;
                }
                p++;
            }
        }
        long exponent = 0;
        if (p < end && (get(p) == 'e' || get(p) == 'E')) {
            p++;
            boolean negExp = false;
            if (p < end && (get(p) == '+' || get(p) == '-')) negExp = get(p++) == '-';
            if (p >= end || !isDigit(p)) return false;
            while (p < end && isDigit(p)) {
                if (exponent < 1_000_000) exponent = exponent * 10 + (get(p) - '0');
                p++;
            }
            if (negExp) exponent = -exponent;
        }
        exact = fits && toMicros(mantissa, exponent - scale + 6);
        if (exact && negative) micros = -micros;
        value = exact ? micros / 1e6 : parseDouble(from, p);
        return Double.isFinite(value);
    }

    /** mantissa * 10^shift as an integer below {@link #EXACT_LIMIT_MICROS}, into {@link #micros}. */
    private boolean toMicros(long mantissa, long shift) {
        long m = mantissa;
        if (m == 0) {
            micros = 0;
            return true;
        }
        if (shift > 18 || shift < -19) return false;
        for (long i = 0; i < shift; i++) {
            if (m >= EXACT_LIMIT_MICROS / 10) return false;
            m *= 10;
        }
        for (long i = 0; i < -shift; i++) {
            if (m % 10 != 0) return false;
            m /= 10;
        }
        if (m >= EXACT_LIMIT_MICROS) return false;
        micros = m;
        return true;
    }

    private double parseDouble(long from, long to) {
        byte[] b = s.asSlice(from, to - from).toArray(ValueLayout.JAVA_BYTE);
        return Double.parseDouble(new String(b, StandardCharsets.US_ASCII));
    }

    private void ws() {
        while (p < end) {
            byte c = get(p);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            p++;
        }
    }

    private boolean eat(char c) {
        if (p < end && get(p) == c) {
            p++;
            return true;
        }
        return false;
    }

    private boolean isDigit(long at) {
        byte c = get(at);
        return c >= '0' && c <= '9';
    }

    private byte get(long at) {
        return s.get(ValueLayout.JAVA_BYTE, at);
    }
}
