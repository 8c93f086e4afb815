package io.qontrek.factorydr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qontrek.factorydr.runtime.SampleRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX of a real {@code serve}, through a real RMI connector: no login without a password
 * file, no connection without credentials, and the JDK's access file decides who may only read
 * route state and who may stop and start routes. Without an access file every user only reads.
 */
class ServeJmxAccessTest {
    static final ObjectName ROUTE = name("org.apache.camel:context=factory-dr,type=routes,name=\"backup-incremental\"");
    static final ObjectName CONTEXT = name("org.apache.camel:context=factory-dr,type=context,name=\"factory-dr\"");

    ServeProcess serve;

    @AfterEach
    void stop() throws Exception {
        if (serve != null) serve.close();
    }

    @Test
    void remoteJmxIsRefusedAtStartUpWithoutAnOwnerOnlyPasswordFile(@TempDir Path tmp) throws Exception {
        Map<String, String> env = service(tmp);
        Cli.Result noLogin = Cli.run(env, "serve");
        assertThat(noLogin.exit()).as(noLogin.toString()).isEqualTo(2);
        assertThat(noLogin.err().lines()).as(noLogin.toString()).hasSize(1);
        assertThat(noLogin.err()).contains("FACTORY_JMX_PORT", "needs FACTORY_JMX_PASSWORD_FILE");

        Path passwords = file(tmp.resolve("jmx.password"), "operator operpw-2\n", "rw-r--r--");
        env.put("FACTORY_JMX_PASSWORD_FILE", passwords.toString());
        Cli.Result readable = Cli.run(env, "serve");
        assertThat(readable.exit()).as(readable.toString()).isEqualTo(2);
        assertThat(readable.err().lines()).as(readable.toString()).hasSize(1);
        assertThat(readable.err()).contains("factory.jmx.password-file", "only its owner can read", "chmod 600");

        Files.setPosixFilePermissions(passwords, PosixFilePermissions.fromString("rw-------"));
        env.put("FACTORY_JMX_ACCESS_FILE", file(tmp.resolve("jmx.access"), "operator superuser\n", "rw-r--r--").toString());
        Cli.Result badRole = Cli.run(env, "serve");
        assertThat(badRole.exit()).as(badRole.toString()).isEqualTo(2);
        assertThat(badRole.err().lines()).as(badRole.toString()).hasSize(1);
        assertThat(badRole.err()).contains("invalid factory.jmx.access-file", "superuser", "readonly", "readwrite");
    }

    @Test
    void noCredentialsNoConnection_aReadonlyUserCannotStopARoute_aReadwriteUserCan(@TempDir Path tmp) throws Exception {
        Map<String, String> env = service(tmp);
        env.put("FACTORY_JMX_PASSWORD_FILE", file(tmp.resolve("jmx.password"),
                "# the JDK's jmxremote.password format\nreader readpw-1\noperator operpw-2\nstranger strangepw-3\n", "rw-------").toString());
        env.put("FACTORY_JMX_ACCESS_FILE", file(tmp.resolve("jmx.access"),
                "reader readonly\noperator readwrite\n", "rw-r--r--").toString());
        JMXServiceURL url = startServe(env, tmp);

        assertThatThrownBy(() -> JMXConnectorFactory.connect(url).close()).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> connect(url, "operator", "readpw-1").close()).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> connect(url, "nobody", "operpw-2").close()).isInstanceOf(SecurityException.class);

        try (JMXConnector reader = connect(url, "reader", "readpw-1")) {
            MBeanServerConnection mbeans = reader.getMBeanServerConnection();
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Started");
            assertThat(mbeans.getAttribute(ROUTE, "ExchangesTotal")).isEqualTo(0L);
            for (String operation : new String[] {"stop", "suspend", "start", "restart"}) {
                assertThatThrownBy(() -> mbeans.invoke(ROUTE, operation, null, null)).as(operation)
                        .isInstanceOf(SecurityException.class).hasMessageContaining("Access denied");
            }
            assertThatThrownBy(() -> mbeans.invoke(CONTEXT, "sendBody", new Object[] {"direct:retention", "x"},
                    new String[] {String.class.getName(), Object.class.getName()})).isInstanceOf(SecurityException.class);
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Started");
        }
        try (JMXConnector stranger = connect(url, "stranger", "strangepw-3")) {
            // logged in, but no line in the access file: nothing at all
            assertThatThrownBy(() -> stranger.getMBeanServerConnection().getAttribute(ROUTE, "State"))
                    .isInstanceOf(SecurityException.class);
        }
        try (JMXConnector operator = connect(url, "operator", "operpw-2")) {
            MBeanServerConnection mbeans = operator.getMBeanServerConnection();
            mbeans.invoke(ROUTE, "stop", null, null);
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Stopped");
            mbeans.invoke(ROUTE, "start", null, null);
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Started");
            // readwrite without "create": no MBean of the client's choosing (an MLet loading remote code)
            assertThatThrownBy(() -> mbeans.createMBean("javax.management.loading.MLet", name("probe:type=MLet")))
                    .isInstanceOf(SecurityException.class);
        }
    }

    @Test
    void withoutAnAccessFileEveryUserOnlyReads(@TempDir Path tmp) throws Exception {
        Map<String, String> env = service(tmp);
        env.put("FACTORY_JMX_PASSWORD_FILE", file(tmp.resolve("jmx.password"), "operator operpw-2\n", "rw-------").toString());
        JMXServiceURL url = startServe(env, tmp);
        try (JMXConnector operator = connect(url, "operator", "operpw-2")) {
            MBeanServerConnection mbeans = operator.getMBeanServerConnection();
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Started");
            assertThatThrownBy(() -> mbeans.invoke(ROUTE, "stop", null, null)).isInstanceOf(SecurityException.class);
            assertThat(mbeans.getAttribute(ROUTE, "State")).isEqualTo("Started");
        }
        assertThat(Files.readString(tmp.resolve("factory-dr.log"), StandardCharsets.ISO_8859_1))
                .contains("no access file, so every user is readonly").doesNotContain("operpw-2");
    }

    // ---------------------------------------------------------------------------------------------

    private static Map<String, String> service(Path tmp) throws Exception {
        Path root = tmp.resolve("runtime");
        SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(20).days(1).ledgerRows(50).logMb(1)
                .towerSecret(Cli.TOWER_SECRET).end(Instant.now()).build(), null);
        Map<String, String> env = ServeHttpAccessTest.quietService(tmp, root);
        env.put("FACTORY_HTTP_PORT", String.valueOf(ServeProcess.freePort()));
        env.put("FACTORY_JMX_PORT", String.valueOf(ServeProcess.freePort()));
        return env;
    }

    private JMXServiceURL startServe(Map<String, String> env, Path tmp) throws Exception {
        serve = ServeProcess.start(env);
        Path log = tmp.resolve("factory-dr.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains("Apache Camel 4.17.0 (factory-dr) started"))) {
            if (!serve.isAlive()) throw new AssertionError("serve exited " + serve.exitValue() + "\n" + Files.readString(log));
            if (System.nanoTime() > deadline) throw new AssertionError("serve did not start\n" + Files.readString(log));
            Thread.sleep(200);
        }
        return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + env.get("FACTORY_JMX_PORT") + "/jmxrmi");
    }

    private static JMXConnector connect(JMXServiceURL url, String user, String password) throws IOException {
        return JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    private static Path file(Path p, String text, String mode) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private static ObjectName name(String n) {
        try {
            return new ObjectName(n);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
