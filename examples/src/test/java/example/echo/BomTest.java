package example.echo;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The BOM (issue #16, item 7) names exactly the published modules, at the build's version: every
 * module of the build with Java sources that does not set {@code aio.unpublished} (the parent
 * pom's rule for sources and Javadoc jars).
 */
class BomTest {
    private static final Path ROOT = Path.of(System.getProperty("aio.root", ".."));

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void theBomListsEveryPublishedModuleAtTheBuildsVersion() throws Exception {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        String version = first(parent, "<artifactId>aio-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertEquals(version, first(bom, "<artifactId>aio-bom</artifactId>\\s*<version>([^<]+)</version>"), "the BOM's own version");

        TreeSet<String> published = new TreeSet<>();
        for (String module : Pattern.compile("<module>([^<]+)</module>").matcher(parent).results().map(r -> r.group(1)).toList()) {
            Path dir = ROOT.resolve(module);
            String pom = Files.readString(dir.resolve("pom.xml"));
            boolean child = pom.contains("<artifactId>aio-parent</artifactId>"); // examples and the BOM stand alone
            if (child && Files.isDirectory(dir.resolve("src/main/java")) && !pom.contains("<aio.unpublished>true</aio.unpublished>")) {
                published.add(first(pom, "</parent>\\s*<artifactId>([^<]+)</artifactId>"));
            }
        }
        TreeSet<String> listed = new TreeSet<>();
        Matcher d = Pattern.compile("<groupId>io.fasterapi</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>\\$\\{project.version}</version>").matcher(bom);
        while (d.find()) listed.add(d.group(1));
        assertEquals(published, listed);
        assertEquals(List.of(), Pattern.compile("<parent>").matcher(bom).results().toList(), "the BOM has no parent");
    }
}
