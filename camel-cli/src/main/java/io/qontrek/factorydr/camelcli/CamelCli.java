package io.qontrek.factorydr.camelcli;

import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

/**
 * bin/camel's entry point: Camel's own CLI (camel-jbang-core), whose main class is otherwise
 * started by JBang or camel-launcher, neither of which is installed here. It finds the Camel
 * processes of this user, factory-dr's serve among them, through ~/.camel.
 */
public final class CamelCli {
    private CamelCli() {}

    public static void main(String[] args) {
        CamelJBangMain.run(args);   // exits with the command's status
    }
}
