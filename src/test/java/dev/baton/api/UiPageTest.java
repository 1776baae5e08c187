package dev.baton.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class UiPageTest {

    private static final String HTML = "<head><link rel=\"stylesheet\" href=\"/ui/style.css\">"
            + "<script type=\"module\" src=\"/ui/app.js\"></script></head>";

    @Test
    void theStylesheetAndTheScriptAreWrittenIntoThePageWhichIsAlsoKeptGzipped() throws Exception {
        UiPage page = UiPage.of(HTML, "b { color: red }\n", "go();\n");
        assertEquals("<head><style>\nb { color: red }\n</style><script type=\"module\">\ngo();\n</script></head>",
                new String(page.plain, StandardCharsets.UTF_8));
        try (GZIPInputStream unzipped = new GZIPInputStream(new ByteArrayInputStream(page.gzipped))) {
            assertArrayEquals(page.plain, unzipped.readAllBytes());
        }
    }

    @Test
    void whatWouldEndItsElementEarlyStaysLinked() {
        String page = new String(UiPage.of(HTML, "/* </STYLE> */", "s = '</script>';").plain, StandardCharsets.UTF_8);
        assertEquals(HTML, page);
    }

    @Test
    void theDashboardsOwnFilesAreInlined() {
        String page = new String(UiPage.load(UiPageTest.class.getClassLoader()).plain, StandardCharsets.UTF_8);
        assertTrue(page.contains("<style>") && page.contains("<script type=\"module\">\n") && !page.contains("/ui/app.js"), page);
    }
}
