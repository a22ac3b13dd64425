/**
 * Optional Micrometer metrics for FasterAPI Async I/O:
 * {@link io.fasterapi.aio.micrometer.AsyncIoMetrics} binds the statistics of a loop or of a loop
 * group to a {@code MeterRegistry}.
 */
module io.fasterapi.aio.micrometer {
    requires transitive io.fasterapi.aio;
    requires transitive micrometer.core;

    exports io.fasterapi.aio.micrometer;
}
