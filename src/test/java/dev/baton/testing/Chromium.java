package dev.baton.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The system's Chromium driven by Playwright (no browser download: {@code PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1}).
 * Tests that need it are skipped, saying why, where {@code /usr/bin/chromium} is missing ({@code .ci/run} installs it).
 */
public final class Chromium implements AutoCloseable {

    public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium() {
        playwright = Playwright.create();
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(ARGS));
    }

    /** A running Chromium, or the calling test is skipped when none is installed. */
    public static Chromium launch() {
        Assumptions.assumeTrue(Files.isExecutable(EXECUTABLE),
                "no Chromium at " + EXECUTABLE + ": the browser tests are skipped (apt-get install chromium, or run .ci/run)");
        return new Chromium();
    }

    /** A fresh page in its own context (its own cookies). */
    public Page page() {
        Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 860)).newPage();
        page.setDefaultTimeout(10_000);
        return page;
    }

    public static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
