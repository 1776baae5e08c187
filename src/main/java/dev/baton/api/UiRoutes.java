package dev.baton.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The dashboard's pages ({@code META-INF/resources/ui/}, served as static files) and who may load
 * them: with tokens configured anyone may load the page, which then asks for a token (the data
 * comes only through the API's checks); without tokens the API is open, so the dashboard is served
 * only to clients on loopback. The page itself ({@code /ui/}) is served from memory with its
 * stylesheet and script inlined ({@link UiPage}).
 */
@Singleton
public class UiRoutes {

    private static final String UI = "/ui";

    @Inject
    AuthFilter auth;

    void install(@Observes Router router) {
        router.get(UI).order(Integer.MIN_VALUE).handler(ctx -> {
            if (ctx.request().path().equals(UI)) { // the route also matches "/ui/"
                ctx.response().setStatusCode(302).putHeader("Location", UI + "/").end();
            } else {
                ctx.next();
            }
        });
        router.route(UI + "/*").order(Integer.MIN_VALUE).handler(this::onlyLoopbackWhenOpen);
        UiPage page = UiPage.load(Thread.currentThread().getContextClassLoader());
        Buffer plain = Buffer.buffer(page.plain);
        Buffer gzipped = Buffer.buffer(page.gzipped);
        for (String path : new String[] {UI + "/", UI + "/index.html"}) {
            router.get(path).order(Integer.MIN_VALUE + 1).handler(ctx -> {
                String accepted = ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING);
                boolean gzip = accepted != null && accepted.contains("gzip");
                ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
                        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache").putHeader(HttpHeaders.VARY, "Accept-Encoding");
                if (gzip) {
                    ctx.response().putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
                }
                ctx.response().end(gzip ? gzipped : plain);
            });
        }
    }

    private void onlyLoopbackWhenOpen(RoutingContext ctx) {
        if (auth.open() && !loopback(ctx.request().remoteAddress())) {
            ctx.response().setStatusCode(403).putHeader("content-type", "application/json")
                    .end("{\"error\":\"forbidden\",\"message\":\"Baton has no tokens configured: the dashboard is served "
                            + "only to clients on loopback (set baton.auth.* to open it to others)\"}");
            return;
        }
        ctx.next();
    }

    static boolean loopback(SocketAddress address) {
        if (address == null || address.hostAddress() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(address.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
