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
}
