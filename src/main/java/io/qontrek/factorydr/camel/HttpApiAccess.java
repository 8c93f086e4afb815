package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may reach serve's HTTP API. It listens on {@code factory.http.host} (FACTORY_HTTP_HOST,
 * 127.0.0.1 by default; Camel's own default would be every interface). Any address but loopback
 * needs a bearer token (FACTORY_HTTP_TOKEN or FACTORY_HTTP_TOKEN_FILE, a secret, never a Camel
 * property, so never in a log); with a token set, on any address, a request without
 * {@code Authorization: Bearer <token>} gets 401 before it reaches a route, whatever its path.
 * The check is a handler on the Vert.x router itself, installed through Camel's HTTP server factory
 * before the server starts, so no request is ever served unchecked.
 */
public final class HttpApiAccess {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiAccess.class);
    static final String HOST = "factory.http.host";
    /** A guessable token is no lock: 16 characters is 96 bits of a base64 token. */
    static final int MIN_TOKEN_LENGTH = 16;

    private final String host;
    private final byte[] tokenDigest;

    private HttpApiAccess(String host, byte[] tokenDigest) {
        this.host = host;
        this.tokenDigest = tokenDigest;
    }

    /** The address and token of the HTTP API, or a usage error (exit 2) naming what to set. */
    public static HttpApiAccess from(Settings settings, Secrets secrets) {
        String host = settings.get(HOST);
        InetAddress address;
        try {
            if (host.isEmpty()) throw new UnknownHostException();
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw settings.invalid(HOST, "an address of this machine (127.0.0.1, or another with FACTORY_HTTP_TOKEN)");
        }
        byte[] token = secrets.httpToken();
        if (token == null) {
            if (!address.isLoopbackAddress()) {
                throw new ConfigException(HOST + "=" + host + " (from " + settings.origin(HOST) + ") is not a loopback address, so the "
                        + "HTTP API needs a bearer token: set " + Secrets.HTTP_TOKEN + " or " + Secrets.HTTP_TOKEN + "_FILE, or keep 127.0.0.1");
            }
            return new HttpApiAccess(host, null);
        }
        if (token.length < MIN_TOKEN_LENGTH) {
            throw new ConfigException(Secrets.HTTP_TOKEN + " is too short: use at least " + MIN_TOKEN_LENGTH
                    + " characters (openssl rand -base64 32)");
        }
        for (byte b : token) {
            if (b < 0x21 || b > 0x7e) {
                throw new ConfigException(Secrets.HTTP_TOKEN + " holds a space or a character that is not printable ASCII:"
                        + " it must fit in an Authorization header (openssl rand -base64 32)");
            }
        }
        return new HttpApiAccess(host, sha256(token));
    }

    public boolean tokenRequired() {
        return tokenDigest != null;
    }

    /** Binds the HTTP server (and Camel's management server, if an operator enables it) to the host, behind the token. */
    public void configure(Main main, String port) {
        main.addOverrideProperty("camel.server.host", host);
        main.addOverrideProperty("camel.management.host", host);
        if (tokenRequired()) main.bind("factoryHttpServerFactory", new GuardedServerFactory(this));
        LOG.info("HTTP API on {}:{} ({})", host, port, tokenRequired() ? "bearer token required" : "no token: loopback only");
    }

    /** Whether an Authorization header carries the token; compares digests, so in time independent of the token. */
    boolean admits(String authorization) {
        if (authorization == null) return false;
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) return false;
        byte[] presented = authorization.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(tokenDigest, sha256(presented));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses a request without the token: 401, and the presented value is never logged. */
    private record BearerTokenHandler(HttpApiAccess access) implements AuthenticationHandler {
        @Override
        public void handle(RoutingContext ctx) {
            if (access.admits(ctx.request().getHeader("Authorization"))) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(401)
                    .putHeader("WWW-Authenticate", "Bearer realm=\"factory-dr\"")
                    .putHeader("Content-Type", "application/json")
                    .end("{\"error\": \"unauthorized: send Authorization: Bearer <FACTORY_HTTP_TOKEN>\"}\n");
        }
    }

    /**
     * Camel's own HTTP server factory (Camel Main takes the one bound in the registry), with the
     * token handler as the first route of every server it makes.
     */
    static final class GuardedServerFactory extends DefaultMainHttpServerFactory {
        private final HttpApiAccess access;

        GuardedServerFactory(HttpApiAccess access) {
            this.access = access;
        }

        @Override
        public Service newHttpServer(CamelContext context, HttpServerConfigurationProperties configuration) {
            MainHttpServer server = (MainHttpServer) super.newHttpServer(context, configuration);
            guard(server.getConfiguration().getAuthenticationConfig());
            return server;
        }

        @Override
        public Service newHttpManagementServer(CamelContext context, HttpManagementServerConfigurationProperties configuration) {
            ManagementHttpServer server = (ManagementHttpServer) super.newHttpManagementServer(context, configuration);
            guard(server.getConfiguration().getAuthenticationConfig());
            return server;
        }

        private void guard(AuthenticationConfig auth) {
            AuthenticationConfig.AuthenticationConfigEntry every = new AuthenticationConfig.AuthenticationConfigEntry();
            every.setPath("/*");
            every.setAuthenticationProviderFactory((Vertx vertx) -> null);   // the handler needs no provider
            every.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
                @Override
                public <T extends AuthenticationProvider> AuthenticationHandler createAuthenticationHandler(T provider) {
                    return new BearerTokenHandler(access);
                }
            });
            // beside any entry of Camel's own authentication settings: a request must then pass both
            auth.getEntries().add(every);
            auth.setEnabled(true);
        }
    }
}
