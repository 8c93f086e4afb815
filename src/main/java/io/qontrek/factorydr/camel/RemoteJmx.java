package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.Settings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RMIServerSocketFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote JMX for {@code serve}: an RMI connector on the platform MBean server (where Camel
 * registers every route), opened from our settings: {@code factory.jmx.port} (FACTORY_JMX_PORT,
 * which Camel Main would ignore as a *_PORT variable). Registry and connector share the one port
 * and listen only on {@code factory.jmx.host} (127.0.0.1). There is always a login: the JDK's own
 * password-file authenticator and access controller ({@code jmx.remote.x.password.file},
 * {@code jmx.remote.x.access.file}, the formats of jmxremote.password and jmxremote.access), so a
 * {@code readonly} user reads route state and cannot stop, start, suspend or send. Without an access
 * file every user is readonly: a role that can stop the backups is given, never assumed. No TLS:
 * tunnel it (ssh -L) off the host. Local tools attaching by pid need none of this.
 */
public final class RemoteJmx {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteJmx.class);
    static final String PASSWORD_FILE = "factory.jmx.password-file";
    static final String ACCESS_FILE = "factory.jmx.access-file";

    private RemoteJmx() {}

    /** Opens the connector when factory.jmx.port is set; returns it (null when unset). */
    public static JMXConnectorServer start(Settings settings) {
        Integer port = settings.getPort("factory.jmx.port");
        if (port == null) return null;
        String passwordFile = settings.get(PASSWORD_FILE);
        if (passwordFile.isEmpty()) {
            throw new ConfigException("FACTORY_JMX_PORT (factory.jmx.port=" + port + ") needs FACTORY_JMX_PASSWORD_FILE ("
                    + PASSWORD_FILE + "): remote JMX always requires a login (jconsole <pid> on this host needs none)");
        }
        String host = settings.get("factory.jmx.host", "127.0.0.1");
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw settings.invalid("factory.jmx.host", "an address of this machine (127.0.0.1)");
        }
        List<String> users = users(settings, Path.of(passwordFile));
        String accessFile = settings.get(ACCESS_FILE);
        Path access = accessFile.isEmpty() ? readonlyAccess(users) : Path.of(accessFile);
        if (!accessFile.isEmpty() && !Files.isReadable(access)) {
            throw settings.invalid(ACCESS_FILE, "a readable JMX access file (lines 'user readonly' or 'user readwrite')");
        }

        Map<String, Object> env = new HashMap<>();
        env.put("jmx.remote.x.password.file", passwordFile);
        env.put("jmx.remote.x.access.file", access.toString());
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
            try {
                server.start();   // the JDK's access controller reads the access file here, once
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid " + ACCESS_FILE + "='" + accessFile + "' (from " + settings.origin(ACCESS_FILE)
                        + "): " + Flows.rootMessage(e) + " (expected lines 'user readonly' or 'user readwrite')", e);
            }
            LOG.info("remote JMX: service:jmx:rmi:///jndi/rmi://{}/jmxrmi (login required; {})", hp,
                    accessFile.isEmpty() ? "no access file, so every user is readonly" : "roles from " + accessFile);
            return server;
        } catch (IOException e) {
            throw new ConfigException("cannot open remote JMX on " + host + ":" + port + " (factory.jmx.port): "
                    + Flows.rootMessage(e), e);
        } finally {
            if (accessFile.isEmpty()) deleteQuietly(access);
        }
    }

    /**
     * The users of a jmxremote.password file (first word of each line that is not blank or a #
     * comment, as the JDK reads it), refused unless only its owner may read it, as the JDK's own
     * agent requires.
     */
    static List<String> users(Settings settings, Path file) {
        List<String> users = new ArrayList<>();
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw settings.invalid(PASSWORD_FILE, "a file only its owner can read (chmod 600 " + file + ")");
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) users.add(t.split("\\s+", 2)[0]);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw settings.invalid(PASSWORD_FILE, "a readable JMX password file (lines 'user password')");
        }
        if (users.isEmpty()) throw settings.invalid(PASSWORD_FILE, "at least one line 'user password'");
        return users;
    }

    /**
     * An access file that makes every user readonly, for the JDK's controller to read at start-up; a
     * private temporary file, deleted as soon as the connector has started.
     */
    private static Path readonlyAccess(List<String> users) {
        StringBuilder sb = new StringBuilder("# generated by factory-dr: no factory.jmx.access-file, every user readonly\n");
        for (String u : users) sb.append(u).append(" readonly\n");
        try {
            Path file = Files.createTempFile("factory-dr-jmx-", ".access",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, sb, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new ConfigException("cannot write the readonly JMX access policy to a temporary file: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot delete the temporary JMX access file {}: {}", p, e.getMessage());
        }
    }

    /** Server sockets on one address; equal instances let the registry and the connector share a port. */
    private record BoundSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
