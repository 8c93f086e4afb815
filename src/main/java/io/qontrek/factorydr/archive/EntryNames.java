package io.qontrek.factorydr.archive;

/**
 * The one rule for names inside an archive: relative, '/'-separated, no '.', '..' or empty component,
 * no NUL or backslash. Extraction joins these names under a target directory, so anything else could
 * land outside it.
 */
final class EntryNames {
    /** Reserved for the in-tar manifest, which is always the last entry. */
    static final String MANIFEST = "manifest.json";

    private EntryNames() {}

    /** Why {@code name} is not a safe relative entry name, or null when it is. A trailing '/' (directory) is allowed. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) return "empty name";
        if (name.charAt(0) == '/') return "absolute name";
        if (name.indexOf('\0') >= 0) return "name contains NUL";
        if (name.indexOf('\\') >= 0) return "name contains a backslash";
        int end = name.endsWith("/") ? name.length() - 1 : name.length();
        // one scan, no split: this runs for every record of every pass over a million-file manifest
        int start = 0;
        for (int i = 0; i <= end; i++) {
            char c = i < end ? name.charAt(i) : '/';
            if (c != '/') continue;
            int length = i - start;
            if (length == 2 && name.charAt(start) == '.' && name.charAt(start + 1) == '.') return "name contains '..'";
            if (length == 0 || (length == 1 && name.charAt(start) == '.')) return "name has an empty or '.' component";
            start = i + 1;
        }
        return null;
    }
}
