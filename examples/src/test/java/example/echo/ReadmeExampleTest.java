package example.echo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first screen (issue #16, item 7) cannot rot: its echo server is this module's
 * source, its Maven snippet this module's pom, its {@code requires} line this module's descriptor,
 * and the example runs as the README says (module path, the native-access flag it gives, no
 * warning), echoing a real client's bytes.
 */
class ReadmeExampleTest {
    private static final Path ROOT = Path.of(System.getProperty("aio.root", ".."));
    private static final Path MODULE = ROOT.resolve("examples");

    /** The README's section for users: from its heading to the next heading of the same level. */
    private static String userSection() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Use it from Maven");
        assertTrue(start >= 0, "README.md has a section '## Use it from Maven'");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The code blocks of {@code text} in a language ({@code java}, {@code xml}...), in order. */
    private static List<String> blocks(String text, String language) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?ms)^```" + language + "\\n(.*?)^```$").matcher(text);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    @Test
    void theReadmesEchoServerIsThisModulesSource() throws Exception {
        String source = Files.readString(MODULE.resolve("src/main/java/example/echo/EchoServer.java"));
        assertEquals(source, blocks(userSection(), "java").getLast(), "README.md's echo server (the section's last java block)");
    }

    @Test
    void theReadmesRequiresLineIsThisModulesDescriptor() throws Exception {
        String descriptor = Files.readString(MODULE.resolve("src/main/java/module-info.java"));
        String block = blocks(userSection(), "java").getFirst();
        assertTrue(block.contains("requires io.fasterapi.aio;"), block);
        for (String line : block.lines().map(String::strip).filter(l -> l.startsWith("requires")).toList()) {
            assertTrue(descriptor.contains(line), line + " in " + descriptor);
        }
    }

    /** Each dependency of the README (BOM import, API, backends) is this pom's, with the same coordinates and scope. */
    @Test
    void theReadmesMavenSnippetIsThisModulesPom() throws Exception {
        List<String> snippet = dependencies(blocks(userSection(), "xml").getFirst());
        List<String> pom = dependencies(Files.readString(MODULE.resolve("pom.xml")));
        assertTrue(snippet.size() >= 3, "the BOM, the API and a backend: " + snippet);
        assertTrue(snippet.getFirst().startsWith("io.fasterapi:aio-bom:0.1.0-SNAPSHOT:pom:import"), snippet.toString());
        for (String d : snippet) assertTrue(pom.contains(d), d + " is not in examples/pom.xml: " + pom);
    }

    /** group:artifact:version:type:scope of every dependency element (however it is laid out). */
    private static List<String> dependencies(String xml) {
        List<String> out = new ArrayList<>();
        Matcher d = Pattern.compile("(?s)<dependency>(.*?)</dependency>").matcher(xml);
        while (d.find()) {
            String body = d.group(1);
            out.add(String.join(":", Stream.of("groupId", "artifactId", "version", "type", "scope").map(tag -> {
                Matcher m = Pattern.compile("<" + tag + ">\\s*([^<]*?)\\s*</" + tag + ">").matcher(body);
                return m.find() ? m.group(1) : "";
            }).toList()));
        }
        return out;
    }

    /**
     * Runs the example as the README's command line does (the module path, its
     * {@code --enable-native-access}), and a client sends 100 KB and gets them back.
     */
    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "the example takes the Linux backends, as the README's snippet does")
    void theExampleRunsAsTheReadmeSaysAndEchoesARealClient() throws Exception {
        Matcher flag = Pattern.compile("--enable-native-access=\\S+").matcher(userSection());
        assertTrue(flag.find(), "the README gives the native-access flag");
        // The module path: this module's classes and the aio jars Maven resolved for it (through the BOM).
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.endsWith("classes") && !p.endsWith("test-classes") || Path.of(p).getFileName().toString().startsWith("aio-"))
                .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), flag.group(),
                "--module-path", modulePath, "--module", "example.echo/example.echo.EchoServer", "0").start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(first != null && first.startsWith("echo on "), first + " " + (p.isAlive() ? "" : stderr.join()));
            int port = Integer.parseInt(first.replaceAll(".*:(\\d+) with .*", "$1"));
            byte[] sent = new byte[100_000];
            new Random(7).nextBytes(sent);
            try (Socket client = new Socket()) {
                client.setSoTimeout(30_000);
                client.connect(new InetSocketAddress("127.0.0.1", port));
                client.getOutputStream().write(sent);
                assertArrayEquals(sent, client.getInputStream().readNBytes(sent.length));
                client.shutdownOutput();
                assertEquals(-1, client.getInputStream().read(), "the server closes when the client has");
            }
        } finally {
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        String err = stderr.get(30, TimeUnit.SECONDS);
        assertFalse(err.contains("WARNING"), "the README's flag grants every module that needs native access: " + err);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
