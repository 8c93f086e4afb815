package io.qontrek.factorydr.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CliConnector;
import org.apache.camel.spi.CliConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's Camel CLI connector polls only once its context has started: Camel's own polls at
 * once, while start-up still walks the lists a poll changes, and so failed about one start in a
 * hundred (2,000 starts in a row: 3 runs of 4 failed with Camel's, none with this one).
 */
class CamelCliConnectorTest {
    @TempDir
    Path home;

    String userHome;

    @BeforeEach
    void home() {
        userHome = System.getProperty("user.home");
        // the connector's files go to ~/.camel: this test's home, not the user's
        System.setProperty("user.home", home.toString());
    }

    @AfterEach
    void back() {
        System.setProperty("user.home", userHome);
    }

    @Test
    void aPollWhileTheContextStartsWritesNoStatusAndOneAfterwardsDoes() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().addContextPlugin(CliConnectorFactory.class, new CamelCliConnector(true));
        List<String> duringStartUp = new ArrayList<>();
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext c, boolean alreadyStarted) throws Exception {
                connector(c).task();
                duringStartUp.addAll(statusFiles());
            }
        });
        try {
            context.start();
            assertThat(duringStartUp).isEmpty();
            connector(context).task();
            assertThat(statusFiles()).hasSize(1);
        } finally {
            context.stop();
        }
        // and it leaves nothing behind once its context stops
        assertThat(home.resolve(".camel")).isEmptyDirectory();
    }

    private static CamelCliConnector.AfterStartup connector(CamelContext context) {
        return (CamelCliConnector.AfterStartup) context.hasService(CliConnector.class);
    }

    /** The status files with a status in them (the connector makes its empty one as it starts). */
    private List<String> statusFiles() throws IOException {
        try (var files = Files.list(home.resolve(".camel"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-status.json") && f.toFile().length() > 0)
                    .map(f -> f.getFileName().toString()).toList();
        }
    }
}
