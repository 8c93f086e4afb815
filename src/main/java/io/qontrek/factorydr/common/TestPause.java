package io.qontrek.factorydr.common;

import java.util.concurrent.locks.LockSupport;

/**
 * A test-only hook, so a test can {@code kill -9} a real run at a named step without timing: with
 * the system property {@code factory.test.pause-at=<step>} set, the run prints
 * {@code factory.test.pause-at: paused at <step>} on stderr on reaching that step and blocks there
 * for good. Unset (as always outside tests) it does nothing. The steps are named where they are called.
 */
public final class TestPause {
    private static final String STEP = System.getProperty("factory.test.pause-at", "");

    private TestPause() {}

    public static void at(String step) {
        if (STEP.isEmpty() || !STEP.equals(step)) return;
        System.err.println("factory.test.pause-at: paused at " + step);
        System.err.flush();
        for (;;) LockSupport.park();
    }
}
