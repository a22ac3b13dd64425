/**
 * The OSGi side of the project: a bundle whose Declarative Services components track every
 * backend provider service, keep the echo server on the best available one (moving it when
 * backends come and go), and add the {@code aio:*} Gogo commands. Exports nothing.
 */
module io.fasterapi.aio.container {
    requires io.fasterapi.aio;
    requires io.fasterapi.aio.servers;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;
}
