package io.qontrek.factorydr.camel;

import io.qontrek.factorydr.common.OwnerOnly;
import io.qontrek.factorydr.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.cli.connector.DefaultCliConnectorFactory;
import org.apache.camel.cli.connector.LocalCliConnector;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CliConnector;
import org.apache.camel.spi.CliConnectorFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-cli-connector, which lets Camel's own CLI ({@code bin/camel get route}, {@code camel cmd
 * stop-route}) see and drive the service: it writes the context's status to
 * {@code ~/.camel/<pid>-status.json} every {@code factory.camel-cli.interval-ms} and carries out
 * what the CLI writes to {@code ~/.camel/<pid>-action.json}. In {@code serve} when {@code factory.camel-cli.enabled},
 * off in every one-shot command (nobody manages a process that ends with its flow).
 *
 * <p>One connector per JVM: its files are keyed by pid alone, and a connector deletes them when its
 * context stops, which the connector of another context in the same JVM reads as "stop this
 * process" (a route edit would stop the service). Found on the classpath, Camel gives every context
 * one, so each context says which it gets: a Main's is the bean bound here, which hands out one
 * connector at most; the throwaway context that checks a route edit ({@link RouteFileCheck}) is
 * given {@link #none()}.
 */
public final class CamelCliConnector extends DefaultCliConnectorFactory {
    static final String ENABLED = "factory.camel-cli.enabled";
    static final String INTERVAL = "factory.camel-cli.interval-ms";
    private static final Logger LOG = LoggerFactory.getLogger(CamelCliConnector.class);

    private final AtomicBoolean made = new AtomicBoolean();

    CamelCliConnector(boolean enabled) {
        setEnabled(enabled);
        setRuntime("factory-dr");
        setRuntimeStartClass("io.qontrek.factorydr.cli.FactoryDr");
        String version = CamelCliConnector.class.getPackage().getImplementationVersion();
        if (version != null) setRuntimeVersion(version);
    }

    /** No connector, for a context that is not the service's. */
    static CliConnectorFactory none() {
        return new CamelCliConnector(false);
    }

    /** Every application starts without a connector; serve turns it on ({@link #configure}). */
    static void bindOff(Main main) {
        main.bind("cliConnectorFactory", none());
    }

    /**
     * The service's connector, when {@code factory.camel-cli.enabled=true} (off by default); its directory
     * ({@code ~/.camel}) is made owner-only first, since whoever can write an action file there can
     * stop the routes. Without such a directory the service runs without the connector (a warning says why).
     */
    static void configure(Main main, Settings settings) {
        boolean enabled = settings.getBoolean(ENABLED);
        if (enabled) {
            Path dir = Path.of(System.getProperty("user.home"), ".camel");
            try {
                ownerOnly(dir);
            } catch (IOException | RuntimeException e) {
                LOG.warn("the Camel CLI cannot manage this service: its directory {} cannot be made owner-only ({}); "
                        + "set {}=false to say so without this warning", dir, e.getMessage(), ENABLED);
                enabled = false;
            }
        }
        main.bind("cliConnectorFactory", new CamelCliConnector(enabled));
        if (!enabled) return;
        // Camel's 1 s costs the service a fifth of a core with our routes (README, "Camel's CLI"); the
        // connector can only be told once it runs
        int interval = interval(settings);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                CliConnector connector = m.getCamelContext().hasService(CliConnector.class);
                if (connector != null) connector.updateDelay(interval);
            }
        });
    }

    /** factory.camel-cli.interval-ms: past 4 s the CLI's commands that wait 5 s for an answer would time out. */
    public static int interval(Settings settings) {
        return settings.getInt(INTERVAL, 250, 4000);
    }

    /** Creates dir 0700, or narrows an existing one of ours to 0700; a link or another user's directory is refused. */
    static void ownerOnly(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            OwnerOnly.directories(dir);
            return;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IOException(dir + " is not a directory");
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(System.getProperty("user.name"))) throw new IOException(dir + " belongs to " + owner);
        Files.setPosixFilePermissions(dir, OwnerOnly.DIRECTORY);
    }

    @Override
    public boolean isEnabled() {
        return super.isEnabled() && !made.get();
    }

    @Override
    public CliConnector createConnector() {
        return super.isEnabled() && made.compareAndSet(false, true) ? new AfterStartup(this) : null;
    }

    /**
     * Camel's connector, polling only once its context has started. Camel starts it as the context
     * builds, and its first poll comes at once, on a thread of its own: it calls every dev console,
     * which registers services and introspects beans while start-up walks the same plain lists and
     * maps (the dev consoles', the bean introspection's start-up log). The two together fail about
     * one start in a hundred with a ConcurrentModificationException.
     */
    static final class AfterStartup extends LocalCliConnector {
        private volatile boolean contextStarted;

        AfterStartup(CliConnectorFactory factory) {
            super(factory);
        }

        @Override
        protected void task() {
            if (!contextStarted) {
                if (!getCamelContext().isStarted()) return;
                contextStarted = true;
            }
            super.task();
        }
    }
}
