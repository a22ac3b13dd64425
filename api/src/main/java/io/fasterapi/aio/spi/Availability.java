package io.fasterapi.aio.spi;

import java.util.Objects;

/**
 * Whether a backend can run here.
 *
 * @param available true when a loop can be created
 * @param reason    why not ("not this operating system: Linux", "io_uring_setup refused: EPERM");
 *                  empty when available
 */
public record Availability(boolean available, String reason) {

    private static final Availability AVAILABLE = new Availability(true, "");

    /** Requires a reason exactly when unavailable. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable backend must say why");
        }
    }

    /** Available here. */
    public static Availability yes() {
        return AVAILABLE;
    }

    /** Unavailable for the given reason. */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
