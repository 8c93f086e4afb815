package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Settings;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RMIServerSocketFactory;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote JMX for {@code serve}: an RMI connector on the platform MBean server (where Camel
 * registers every route), opened from our settings: {@code factory.jmx.port} (FACTORY_JMX_PORT,
 * which Camel Main would ignore as a *_PORT variable). Registry and connector share the one port
 * and listen only on {@code factory.jmx.host} (127.0.0.1). Without a password file there is no
 * login, so only loopback is allowed; with {@code factory.jmx.password-file} (lines
 * {@code user password}, readable by its owner only, as the JDK's own jmxremote.password) every
 * client must log in, and another interface may be used. No TLS: tunnel it (ssh -L) off the host.
 */
public final class RemoteJmx {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJmx.class);

    private RemoteJmx() {}

    /** Opens the connector when factory.jmx.port is set; returns it (null when unset). */
    public static JMXConnectorServer start(Settings settings) {
        Integer port = settings.getPort("factory.jmx.port");
        if (port == null) return null;
        String host = settings.get("factory.jmx.host", "127.0.0.1");
        String passwordFile = settings.get("factory.jmx.password-file");
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw settings.invalid("factory.jmx.host", "an address of this machine (127.0.0.1 unless a password file is set)");
        }
        if (!address.isLoopbackAddress() && passwordFile.isEmpty()) {
            throw settings.invalid("factory.jmx.host", "127.0.0.1, or set factory.jmx.password-file "
                    + "(FACTORY_JMX_PASSWORD_FILE): remote JMX on another interface must require a login");
        }
        Map<String, Object> env = new HashMap<>();
        if (!passwordFile.isEmpty()) env.put(JMXConnectorServer.AUTHENTICATOR, new PasswordFile(settings, Path.of(passwordFile)));
        // the stubs the registry hands out must name the address clients reach
        if (System.getProperty("java.rmi.server.hostname") == null) System.setProperty("java.rmi.server.hostname", host);
        RMIServerSocketFactory sockets = new BoundSockets(address);
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
        try {
            LocateRegistry.createRegistry(port, null, sockets);
            String hp = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + hp + "/jndi/rmi://" + hp + "/jmxrmi");
            JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, env,
                    ManagementFactory.getPlatformMBeanServer());
            server.start();
            LOG.info("remote JMX: service:jmx:rmi:///jndi/rmi://{}/jmxrmi ({})", hp,
                    passwordFile.isEmpty() ? "no login, loopback only" : "login required");
            return server;
        } catch (IOException e) {
            throw new ConfigException("cannot open remote JMX on " + host + ":" + port + " (factory.jmx.port): "
                    + Flows.rootMessage(e), e);
        }
    }

    /** Server sockets on one address; equal instances let the registry and the connector share a port. */
    private record BoundSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }

    /** Logins from a file of "user password" lines, checked at start-up like the JDK's jmxremote.password. */
    private static final class PasswordFile implements JMXAuthenticator {
        private final Properties users = new Properties();

        PasswordFile(Settings settings, Path file) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                users.load(r);
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                    throw settings.invalid("factory.jmx.password-file", "a file only its owner can read (chmod 600)");
                }
            } catch (IOException e) {
                throw settings.invalid("factory.jmx.password-file", "a readable JMX password file (lines 'user password')");
            }
            if (users.isEmpty()) throw settings.invalid("factory.jmx.password-file", "at least one line 'user password'");
        }

        @Override
        public Subject authenticate(Object credentials) {
            if (credentials instanceof String[] c && c.length == 2 && c[0] != null && c[1] != null) {
                String expected = users.getProperty(c[0]);
                if (expected != null && MessageDigest.isEqual(expected.trim().getBytes(StandardCharsets.UTF_8),
                        c[1].getBytes(StandardCharsets.UTF_8))) {
                    return new Subject(true, Set.of(new JMXPrincipal(c[0])), Set.of(), Set.of());
                }
            }
            LOG.warn("remote JMX: login refused");
            throw new SecurityException("invalid JMX user or password");
        }
    }
}
