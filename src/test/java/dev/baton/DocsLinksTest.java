package dev.baton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository holds its own documentation: every relative link in README.md, docs/, deploy/ and clients/
 * must point at a file of the repository (and at a heading of it, when it names an {@code #anchor}).
 * Links that leave the repository, such as {@code ../elsewhere/...}, fail, and so do absolute paths
 * (write a server path such as {@code /q/openapi} as code, not as a link). Links inside code blocks
 * and code spans are not links. The tests run with the project root as working directory.
 */
class DocsLinksTest {

    /** {@code [text](target)} and {@code ![alt](target)}; the target ends at the first space or ')'. */
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target} reference definitions. */
    private static final Pattern REFERENCE_LINK = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:[ \\t]*<?([^\\s>]+)>?(?:[ \\t]+.*)?$", Pattern.MULTILINE);
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1", Pattern.DOTALL);
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkInTheRepositoryDocsResolves() {
        Path root = Path.of("").toAbsolutePath();
        List<Path> files = markdownFiles(root);
        assertTrue(files.contains(root.resolve("README.md")), "README.md is checked");
        assertTrue(files.stream().anyMatch(f -> f.startsWith(root.resolve("docs"))), "docs/ is checked");
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            broken.addAll(brokenLinks(root, file));
        }
        assertEquals(List.of(), broken, "links in the repository's Markdown that do not resolve inside it");
    }

    @Test
    void theCheckerFindsWhatIsBroken(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/model.md"), "# Task model\n\n## Leases and retries\n\ntext\n");
        Files.writeString(root.resolve("README.md"), String.join("\n",
                "# Baton",
                "[ok](docs/model.md) [ok anchor](docs/model.md#leases-and-retries) [self](#baton)",
                "[web](https://example.org/x) [mail](mailto:a@b.c)",
                "`[code span](missing.md)` and `a span over two",
                "lines [x](missing.md)`",
                "```",
                "[in a fence](missing.md)",
                "```",
                "[gone](docs/missing.md) [bad anchor](docs/model.md#no-such-heading)",
                "[outside](../elsewhere/DESIGN.md) [absolute](/q/openapi)",
                "[ref]: docs/also-missing.md",
                ""));
        assertEquals(List.of(
                "README.md:9: docs/missing.md: no such file",
                "README.md:9: docs/model.md#no-such-heading: no heading with that anchor in docs/model.md",
                "README.md:10: ../elsewhere/DESIGN.md: points outside the repository",
                "README.md:10: /q/openapi: an absolute path; link relative to this file, or write a server path as code",
                "README.md:11: docs/also-missing.md: no such file"),
                brokenLinks(root, root.resolve("README.md")));
    }

    @Test
    void anchorsFollowGitHubsHeadingIds() {
        assertEquals(Set.of("leases-retries-limits", "get-v1tasksid", "the-api-in-short", "the-api-in-short-1"),
                anchors("## Leases, retries, limits\n### `GET /v1/tasks/{id}`\n# The API in short\n# The API in short\n"));
    }

    private static List<Path> markdownFiles(Path root) {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        for (String dir : List.of("docs", "deploy", "clients")) {
            Path top = root.resolve(dir);
            if (Files.isDirectory(top)) {
                try (Stream<Path> walk = Files.walk(top)) {
                    walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return files;
    }

    /** "file:line: target: problem" for each link of {@code file} that does not resolve. */
    static List<String> brokenLinks(Path root, Path file) {
        List<String> broken = new ArrayList<>();
        String name = root.relativize(file).toString();
        List<String> lines = read(file);
        boolean fenced = false;
        int paragraphStart = 0;
        StringBuilder paragraph = new StringBuilder();
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : "";
            boolean fence = line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~");
            if (fenced || fence || line.isBlank()) {
                // a code span may run over several lines of a paragraph, so links are found per paragraph
                check(root, file, name, paragraph.toString(), paragraphStart, broken);
                paragraph.setLength(0);
                paragraphStart = i + 1;
                if (fence) {
                    fenced = !fenced;
                }
                continue;
            }
            paragraph.append(line).append('\n');
        }
        return broken;
    }

    private static void check(Path root, Path file, String name, String paragraph, int firstLine, List<String> broken) {
        String text = CODE_SPAN.matcher(paragraph).replaceAll(span -> span.group().replaceAll("[^\n]", " "));
        List<int[]> found = new ArrayList<>();
        Matcher inline = INLINE_LINK.matcher(text);
        while (inline.find()) {
            found.add(new int[] {inline.start(1), inline.end(1)});
        }
        Matcher reference = REFERENCE_LINK.matcher(text);
        while (reference.find()) {
            found.add(new int[] {reference.start(1), reference.end(1)});
        }
        found.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int[] at : found) {
            String target = text.substring(at[0], at[1]);
            String problem = problem(root, file, target);
            if (problem != null) {
                int line = firstLine + 1 + (int) text.substring(0, at[0]).chars().filter(c -> c == '\n').count();
                broken.add(name + ":" + line + ": " + target + ": " + problem);
            }
        }
    }

    private static String problem(Path root, Path file, String target) {
        if (SCHEME.matcher(target).find()) {
            return null; // https:, mailto: ... are not the repository's
        }
        if (target.startsWith("/")) {
            return "an absolute path; link relative to this file, or write a server path as code";
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(root)) {
            return "points outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null && resolved.toString().endsWith(".md")
                && !anchors(String.join("\n", read(resolved))).contains(anchor.toLowerCase(Locale.ROOT))) {
            return "no heading with that anchor in " + root.relativize(resolved);
        }
        return null;
    }

    /** The ids GitHub gives the headings of a Markdown text (outside code blocks). */
    static Set<String> anchors(String markdown) {
        Set<String> ids = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (fenced || !heading.matches()) {
                continue;
            }
            String text = heading.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
            int count = seen.merge(slug, 1, Integer::sum);
            ids.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return ids;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
