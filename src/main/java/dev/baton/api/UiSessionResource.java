package dev.baton.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.engine.InvalidRequestException;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The dashboard's sign-in: a token given once becomes an HttpOnly, SameSite=Strict session cookie
 * that {@link AuthFilter} accepts in place of the bearer header, so the page never holds the token.
 */
@Path(UiSessions.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dashboard")
@NonBlocking
public class UiSessionResource {

    @Inject
    UiSessions sessions;

    @Inject
    AuthFilter auth;

    /** The session's role: {@code auth} false when Baton has no tokens (everything open); {@code role} null when not signed in. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Me(@Schema(required = true) boolean auth, String role) {
    }

    public record SignIn(@Schema(required = true) String token) {
    }

    @GET
    @Operation(operationId = "uiSession", summary = "Who the dashboard's session speaks for")
    @APIResponse(responseCode = "200", description = "the role, or none", content = @Content(schema = @Schema(implementation = Me.class)))
    public Me me(@CookieParam(UiSessions.COOKIE) String session) {
        if (auth.open()) {
            return new Me(false, "admin");
        }
        AuthFilter.Caller caller = session == null ? null : sessions.find(session);
        return new Me(true, caller == null ? null : caller.role().name().toLowerCase());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "uiSignIn", summary = "Open a dashboard session with a token (sets an HttpOnly cookie)")
    @APIResponse(responseCode = "200", description = "signed in", content = @Content(schema = @Schema(implementation = Me.class)))
    @APIResponse(responseCode = "400", description = "no token given")
    @APIResponse(responseCode = "401", description = "not a known token")
    public RestResponse<?> signIn(SignIn body) {
        if (body == null || body.token() == null || body.token().isBlank()) {
            throw new InvalidRequestException("token", "is required");
        }
        if (auth.open()) {
            return RestResponse.ok(new Me(false, "admin"));
        }
        AuthFilter.Caller caller = auth.caller(body.token().trim());
        if (caller == null) {
            return ErrorBody.response(401, "unauthorized", "the token is not a known token");
        }
        String id = sessions.open(caller);
        return RestResponse.ResponseBuilder.ok(new Me(true, caller.role().name().toLowerCase()))
                .cookie(cookie(id, (int) (sessions.expiryMillis() / 1000))).build();
    }

    @DELETE
    @Operation(operationId = "uiSignOut", summary = "End the dashboard session")
    @APIResponse(responseCode = "200", description = "signed out", content = @Content(schema = @Schema(implementation = Me.class)))
    public RestResponse<Me> signOut(@CookieParam(UiSessions.COOKIE) String session) {
        if (session != null) {
            sessions.close(session);
        }
        return RestResponse.ResponseBuilder.ok(new Me(!auth.open(), null)).cookie(cookie("", 0)).build();
    }

    private static NewCookie cookie(String value, int maxAgeSeconds) {
        return new NewCookie.Builder(UiSessions.COOKIE).value(value).path("/").maxAge(maxAgeSeconds)
                .httpOnly(true).sameSite(NewCookie.SameSite.STRICT).build();
    }
}
