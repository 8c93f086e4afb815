package io.qontrek.factorydr.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects a verifier's problems as it streams. Only the first {@link #CAP} lines are kept, so a
 * runtime broken everywhere cannot fill memory; the rest are counted and summed up in one line.
 */
final class Findings {
    static final int CAP = 100;

    private final String name;
    private final List<String> kept = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();
    private long total;
    private long checked;

    Findings(String name) {
        this.name = name;
    }

    void problem(String line) {
        total++;
        if (kept.size() < CAP) {
            kept.add(line);
        }
    }

    /** Problems counted but not described (beyond what a caller kept lines of). */
    void moreProblems(long n) {
        total += n;
    }

    void checked() {
        checked++;
    }

    long checkedCount() {
        return checked;
    }

    long problems() {
        return total;
    }

    void fact(String key, Object value) {
        facts.put(key, String.valueOf(value));
    }

    /**
     * The verdict: passed when no problem was found. {@code whenPassed} is the summary of a clean
     * run; a failed run says how many problems and shows the first.
     */
    Verification verdict(String whenPassed, String whenFailed) {
        List<String> lines = new ArrayList<>(kept);
        if (total > kept.size()) {
            lines.add("... and " + (total - kept.size()) + " more");
        }
        boolean passed = total == 0;
        String detail = passed ? whenPassed
                : whenFailed + ": " + total + (total == 1 ? " problem" : " problems") + " in " + checked
                        + " checked; first: " + kept.get(0);
        return new Verification(name, passed, checked, lines, detail, facts);
    }
}
