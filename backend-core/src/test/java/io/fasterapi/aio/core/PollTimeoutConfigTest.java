package io.fasterapi.aio.core;

import io.fasterapi.aio.AsyncIoConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AsyncIoConfig's poll timeout keeps any precision (issue #13, item 5); the 1.0 milliseconds still work; the zero-copy threshold. */
class PollTimeoutConfigTest {

    @Test
    void aDurationKeepsItsNanosecondsAndMillisecondsRoundUp() {
        AsyncIoConfig c = AsyncIoConfig.builder().pollTimeout(Duration.ofNanos(200_500)).build();
        assertEquals(200_500, c.pollTimeoutNanos());
        assertEquals(1, c.pollTimeoutMillis(), "the 1.0 accessor rounds up: never shorter than asked");
        assertEquals(Long.MAX_VALUE, AsyncIoConfig.builder().pollTimeout(Duration.ofDays(1L << 40)).build().pollTimeoutNanos());
        assertThrows(IllegalArgumentException.class, () -> AsyncIoConfig.builder().pollTimeout(Duration.ofNanos(-1)).build());
    }

    @Test
    void theMillisecondFormStillMeansWhatItDid() {
        AsyncIoConfig none = AsyncIoConfig.defaults();
        assertNull(none.pollTimeout());
        assertEquals(-1, none.pollTimeoutMillis());
        assertEquals(-1, none.pollTimeoutNanos());
        AsyncIoConfig ms = AsyncIoConfig.builder().pollTimeoutMillis(7).build();
        assertEquals(Duration.ofMillis(7), ms.pollTimeout());
        assertEquals(7, ms.pollTimeoutMillis());
        assertEquals(Duration.ofMillis(7), ms.toBuilder().build().pollTimeout());
        assertThrows(IllegalArgumentException.class, () -> AsyncIoConfig.builder().pollTimeoutMillis(-2));
        AsyncIoConfig v10 = new AsyncIoConfig(null, 1, 1, 1, 1, false, false, 5, AsyncIoConfig.PRINT_STACK_TRACE);
        assertEquals(Duration.ofMillis(5), v10.pollTimeout(), "the API 1.0 constructor");
        assertEquals(AsyncIoConfig.DEFAULT_ZERO_COPY_THRESHOLD, v10.zeroCopyThreshold(), "the API 1.0 constructor");
    }

    @Test
    void theZeroCopyThresholdIsKeptAndChecked() {
        assertEquals(16 * 1024, AsyncIoConfig.defaults().zeroCopyThreshold());
        AsyncIoConfig c = AsyncIoConfig.builder().zeroCopy(true).zeroCopyThreshold(65536).build();
        assertEquals(65536, c.zeroCopyThreshold());
        assertEquals(65536, c.toBuilder().build().zeroCopyThreshold());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsyncIoConfig.builder().zeroCopyThreshold(0).build());
        assertEquals("zeroCopyThreshold must be >= 1, was 0", e.getMessage());
    }
}
