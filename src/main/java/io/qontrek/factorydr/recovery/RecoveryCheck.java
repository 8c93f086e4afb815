package io.qontrek.factorydr.recovery;

/**
 * One thing that must hold before a runtime may leave panic mode. A check reads the runtime (the
 * federation probe writes only inside transactions it rolls back) and never throws for a finding:
 * a problem is a failed {@link CheckResult}. An exception is also turned into a failed result by
 * {@link RecoveryChecks#run}, so a broken check can never let recovery through.
 */
public interface RecoveryCheck {
    String name();

    CheckResult run(RecoveryTarget target) throws Exception;

    static RecoveryCheck of(String name, Body body) {
        return new RecoveryCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CheckResult run(RecoveryTarget target) throws Exception {
                return body.run(target);
            }
        };
    }

    @FunctionalInterface
    interface Body {
        CheckResult run(RecoveryTarget target) throws Exception;
    }
}
