package io.fasterapi.aio.osgi;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Apache Felix framework in the test JVM, with the built bundles installed. The test's own
 * class path also holds the API classes, so services are looked up with
 * {@code getAllServiceReferences} and called by reflection (or, for the probe, through JDK types).
 */
final class Container implements AutoCloseable {
    static final Path BUNDLES = Path.of(Objects.requireNonNull(System.getProperty("aio.bundles.dir"),
            "aio.bundles.dir is not set: run this test with `mvn verify` (Failsafe)"));
    static final Path RUNTIME = Path.of(Objects.requireNonNull(System.getProperty("aio.osgi.runtime.dir"),
            "aio.osgi.runtime.dir is not set: run this test with `mvn verify` (Failsafe)"));

    private final Framework framework;

    Container(Path storage, Map<String, String> properties) throws BundleException {
        Map<String, String> config = new HashMap<>(properties);
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.start();
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** The jar in {@code dir} whose name starts with {@code prefix}. */
    static File jar(Path dir, String prefix) {
        File[] found = dir.toFile().listFiles((d, n) -> n.startsWith(prefix) && n.endsWith(".jar"));
        if (found == null || found.length != 1) fail("expected one " + prefix + "*.jar in " + dir + ", found " + Arrays.toString(found));
        return found[0];
    }

    /** Installs every jar given, then starts them all; returns them in order. */
    List<Bundle> installAndStart(List<File> jars) throws BundleException {
        List<Bundle> bundles = new ArrayList<>();
        for (File f : jars) {
            bundles.add(context().installBundle(f.toURI().toString()));
        }
        for (Bundle b : bundles) {
            b.start();
        }
        return bundles;
    }

    Bundle bundle(String symbolicName) {
        for (Bundle b : context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b;
        }
        return null;
    }

    /** Provider services' properties by backend name. */
    Map<String, Map<String, Object>> providers() throws InvalidSyntaxException {
        Map<String, Map<String, Object>> out = new HashMap<>();
        ServiceReference<?>[] refs = context().getAllServiceReferences("io.fasterapi.aio.spi.AsyncIoProvider", null);
        for (ServiceReference<?> r : refs == null ? new ServiceReference<?>[0] : refs) {
            Map<String, Object> p = new HashMap<>();
            for (String k : r.getPropertyKeys()) p.put(k, r.getProperty(k));
            out.put((String) r.getProperty("aio.backend"), p);
        }
        return out;
    }

    /** Calls a no-argument method on the first service of {@code type} (by reflection: its classes are the bundle's). */
    Object call(String type, String method) throws Exception {
        ServiceReference<?>[] refs = context().getAllServiceReferences(type, null);
        if (refs == null) return null;
        Object service = context().getService(refs[0]);
        try {
            Method m = service.getClass().getMethod(method);
            return m.invoke(service);
        } finally {
            context().ungetService(refs[0]);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(20_000);
    }
}
