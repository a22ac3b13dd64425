package io.fasterapi.aio.osgi;

import io.fasterapi.aio.osgi.probe.ContractProbe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Packs {@link ContractProbe} from the test classes into a bundle jar that imports the API. */
final class ProbeBundle {
    private ProbeBundle() {
    }

    static Path write(Path dir) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "io.fasterapi.aio.probe");
        a.putValue("Bundle-Version", "0.0.1");
        a.putValue("Bundle-Activator", ContractProbe.class.getName());
        a.putValue("Import-Package", "io.fasterapi.aio;version=\"[1.0,2)\",io.fasterapi.aio.spi;version=\"[1.0,2)\","
                + "org.osgi.framework");
        Path jar = dir.resolve("probe.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            String prefix = ContractProbe.class.getPackageName().replace('.', '/') + "/";
            Path classes = Path.of(ContractProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                    .resolve(prefix);
            try (var files = Files.list(classes)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    j.putNextEntry(new JarEntry(prefix + f.getFileName()));
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(j);
                    }
                    j.closeEntry();
                }
            }
        }
        return jar;
    }
}
