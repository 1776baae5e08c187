package dev.baton.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * The dashboard's page as one answer: {@code index.html} with {@code style.css} and {@code app.js}
 * written into it, put together once from the jar's files (no build step), kept in memory, plain
 * and gzipped. The first view then needs one file instead of three, and no connections of their
 * own for the stylesheet and the script (a browser opens at most six per server over HTTP/1.1, and
 * the first view's reads and the event stream want five of them). The files stay served as they are.
 */
final class UiPage {

    static final String DIR = "META-INF/resources/ui/";
    private static final String STYLESHEET = "<link rel=\"stylesheet\" href=\"/ui/style.css\">";
    private static final String SCRIPT = "<script type=\"module\" src=\"/ui/app.js\"></script>";

    final byte[] plain;
    final byte[] gzipped;

    private UiPage(String html) {
        plain = html.getBytes(StandardCharsets.UTF_8);
        gzipped = gzip(plain);
    }

    /** The page from the dashboard's files on the class path. */
    static UiPage load(ClassLoader loader) {
        return of(read(loader, "index.html"), read(loader, "style.css"), read(loader, "app.js"));
    }

    /** The page with the stylesheet and the script inlined where {@code html} links them (each left linked if it cannot be). */
    static UiPage of(String html, String css, String js) {
        String page = html;
        if (page.contains(STYLESHEET) && !css.toLowerCase().contains("</style")) {
            page = page.replace(STYLESHEET, "<style>\n" + css + "</style>");
        }
        if (page.contains(SCRIPT) && !js.toLowerCase().contains("</script")) {
            page = page.replace(SCRIPT, "<script type=\"module\">\n" + js + "</script>");
        }
        return new UiPage(page);
    }

    private static String read(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + DIR + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
