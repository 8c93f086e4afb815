package io.qontrek.factorydr.verify;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one verifier found. {@code checked} counts the items it looked at (proofs, receipts, days,
 * ledger entries); {@code problems} holds one line per problem, each naming the seq, file or date,
 * capped (the last line then says how many more there were); {@code detail} is a one-line summary
 * for an operator; {@code facts} are values a caller records, such as the chain head.
 */
public record Verification(String name, boolean passed, long checked, List<String> problems, String detail,
                           Map<String, String> facts) {

    public Verification {
        problems = List.copyOf(problems);
        facts = Map.copyOf(facts);
        if (passed && !problems.isEmpty()) {
            throw new IllegalArgumentException(name + ": cannot pass with problems");
        }
    }

    /** The first problem, the one to show when there is room for only one. */
    public Optional<String> firstProblem() {
        return problems.isEmpty() ? Optional.empty() : Optional.of(problems.get(0));
    }

    /** A fact by name (for example {@code head_seq}), or empty. */
    public Optional<String> fact(String key) {
        return Optional.ofNullable(facts.get(key));
    }
}
