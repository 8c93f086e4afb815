package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EntryNamesTest {
    /** The rule written plainly (split on '/'), as it was: the one-scan version must answer the same. */
    static String plain(String name) {
        if (name == null || name.isEmpty()) return "empty name";
        if (name.startsWith("/")) return "absolute name";
        if (name.indexOf('\0') >= 0) return "name contains NUL";
        if (name.indexOf('\\') >= 0) return "name contains a backslash";
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        for (String part : path.split("/", -1)) {
            if (part.equals("..")) return "name contains '..'";
            if (part.isEmpty() || part.equals(".")) return "name has an empty or '.' component";
        }
        return null;
    }

    @Test
    void answersAsThePlainRuleOnNamesBuiltFromTheTrickyCharacters() {
        SplittableRandom random = new SplittableRandom(12);
        char[] alphabet = {'a', '.', '/', '\\', '\0', '-', 'é'};
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(9);
            for (int i = 0; i < length; i++) b.append(alphabet[random.nextInt(alphabet.length)]);
            String name = b.toString();
            assertThat(EntryNames.problem(name)).as("'%s'", name).isEqualTo(plain(name));
        }
        for (String name : new String[] {"proof/proof-000000000001.json", "a/", "..", "./a", "a/./b", "a/../b", "a//b", "/", "...", "a/..."}) {
            assertThat(EntryNames.problem(name)).as(name).isEqualTo(plain(name));
        }
    }
}
