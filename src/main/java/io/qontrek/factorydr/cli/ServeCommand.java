package io.qontrek.factorydr.cli;

import io.qontrek.factorydr.camel.Flows;
import io.qontrek.factorydr.config.ConfigException;
import io.qontrek.factorydr.config.RuntimeLayout;
import io.qontrek.factorydr.config.Secrets;
import io.qontrek.factorydr.config.Settings;
import io.qontrek.factorydr.runtime.SampleRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.RouteController;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code factory-dr serve}: the long-running Camel application with every route. With --demo it
 * first seeds a sample runtime under ./demo (and demo secrets in demo/secrets.env and a demo Ed25519
 * signing key in demo-signing-key.pem, unless the environment has them), and takes a first full
 * backup once the routes are up. Without a signing key (FACTORY_SIGNING_KEY_FILE) serve refuses to start.
 */
@Command(name = "serve", description = "Run the service: routes, schedules, HTTP API, JMX. --demo seeds a sample runtime first.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    FactoryDr app;

    @Option(names = "--demo", description = "Seed a sample runtime under ./demo and take a first full backup.")
    boolean demo;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this many seconds (0: run until stopped).")
    int duration;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(app.env);
        if (demo) {
            Path root = Path.of(app.root != null ? app.root : "demo").toAbsolutePath();
            if (app.root == null) app.root = root.toString();
            seedDemo(root, env);
        }
        Settings settings = app.settings();
        // a mistyped --root must not become a served (empty) runtime with a fresh archive directory and lock
        Path root = RuntimeLayout.of(settings).root();
        if (!Files.isDirectory(root)) {
            throw new ConfigException("runtime root (factory.root) " + root + " does not exist: is --root (or FACTORY_ROOT) right?");
        }
        Secrets secrets = new Secrets(env).require(Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET);
        io.qontrek.factorydr.signing.SigningKey.configured(secrets.signingKeyFile()); // fail closed: its backups and proofs are signed
        Main main = Flows.configure(settings, secrets);
        // takes the service's lock on the archive directory first: a second serve stops here, exit 2
        io.qontrek.factorydr.camel.Service.configure(main, settings, secrets);
        Path socket = ServiceControl.socketPath(settings);
        ServiceControl.requireNoOtherService(socket);   // one of another archive directory, at this socket
        ServiceControl[] control = {null};
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                control[0] = ServiceControl.open(socket, RuntimeLayout.of(settings).controlDir(), m.getCamelContext());
            }

            @Override
            public void beforeStop(BaseMainSupport m) {
                if (control[0] != null) control[0].close();
            }
        });
        if (duration > 0) main.configure().withDurationMaxSeconds(duration);
        if (demo) {
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterStart(BaseMainSupport m) {
                    // the watch's first tick would judge the fresh runtime before its first full (an RPO
                    // breach, then its end): it starts again, its first tick a second on, once the full is in
                    RouteController routes = m.getCamelContext().getRouteController();
                    boolean watching = m.getCamelContext().getRoute(GOVERNANCE_WATCH) != null;
                    try {
                        if (watching) routes.stopRoute(GOVERNANCE_WATCH);
                        Object result = m.getCamelContext().createProducerTemplate().requestBody("direct:backup-full", (Object) null);
                        if (result instanceof io.qontrek.factorydr.backup.StoredArchive a) {
                            Output.archiveWritten(app, "demo full backup", a);
                        }
                    } catch (Exception e) {
                        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
                    } finally {
                        if (watching) startAgain(routes);
                    }
                    Output.out().println("factory-dr is serving the demo runtime in " + app.root + " (Ctrl-C stops it)");
                }
            });
        }
        // the service logs to the terminal too (containers log to stdout), but only once it is configured:
        // a configuration error is one line on stderr, its story in the log file
        System.setProperty("factorydr.console.level", "info");
        org.apache.logging.log4j.core.config.Configurator.reconfigure();
        main.run();
        return main.getExitCode();
    }

    private static final String GOVERNANCE_WATCH = "governance-watch";

    private static void startAgain(RouteController routes) {
        try {
            routes.startRoute(GOVERNANCE_WATCH);
        } catch (Exception e) {
            throw new IllegalStateException("could not start " + GOVERNANCE_WATCH + " again: " + e.getMessage(), e);
        }
    }

    /** A small sample runtime and, unless the environment has them, demo secrets kept beside it. */
    private void seedDemo(Path root, Map<String, String> env) throws Exception {
        Path secretsFile = root.resolveSibling(root.getFileName() + "-secrets.env");
        Properties demoSecrets = new Properties();
        if (Files.exists(secretsFile)) {
            try (var r = Files.newBufferedReader(secretsFile)) {
                demoSecrets.load(r);
            }
        } else {
            SecureRandom rnd = new SecureRandom();
            for (String name : new String[] {Secrets.ARCHIVE_KEY, Secrets.SIGNING_SECRET, Secrets.TOWER_SECRET}) {
                byte[] b = new byte[32];
                rnd.nextBytes(b);
                demoSecrets.setProperty(name, HexFormat.of().formatHex(b));
            }
            Files.createDirectories(secretsFile.getParent());
            Files.createFile(secretsFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            StringBuilder sb = new StringBuilder("# demo secrets for " + root + " (never use these in production)\n");
            for (String n : demoSecrets.stringPropertyNames()) sb.append(n).append('=').append(demoSecrets.getProperty(n)).append('\n');
            Files.writeString(secretsFile, sb.toString(), StandardCharsets.UTF_8);
        }
        for (String n : demoSecrets.stringPropertyNames()) env.putIfAbsent(n, demoSecrets.getProperty(n));
        // and a demo Ed25519 signing key beside them, unless the environment names one
        Path keyFile = root.resolveSibling(root.getFileName() + "-signing-key.pem");
        if (!env.containsKey(Secrets.SIGNING_KEY_FILE) && !Files.exists(keyFile)) io.qontrek.factorydr.signing.SigningKey.create(keyFile);
        env.putIfAbsent(Secrets.SIGNING_KEY_FILE, keyFile.toString());
        if (!Files.isDirectory(root.resolve("proof"))) {
            SampleRuntime.Summary s = SampleRuntime.generate(root, SampleRuntime.Options.builder().proofs(2000).days(7)
                    .ledgerRows(20_000).logMb(20).towerSecret(env.get(Secrets.TOWER_SECRET)).end(Instant.now()).build(),
                    Terminal.progress("seeding demo runtime"));
            Terminal.endProgress();
            Output.out().printf("demo runtime seeded in %s (%,d files, %.1f MB); demo secrets in %s%n", root, s.files(),
                    s.bytes() / 1e6, secretsFile);
        }
    }
}
