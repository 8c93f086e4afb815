package io.qontrek.factorydr.archive;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * What an archive records of a file besides its bytes, so that a restore brings it back as it was:
 * its permission bits (the low 12 bits of st_mode, setuid/setgid/sticky included; a restore drops
 * those three), its mtime in whole seconds (what a ustar header holds), and its numeric owner and
 * group. The same values go into the file's tar header and its manifest entry, where the signature
 * covers them.
 */
public record EntryAttributes(int mode, Instant mtime, long uid, long gid) {
    private static final boolean UNIX = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final long MAX_ID = 0xffff_ffffL; // uid_t and gid_t are 32 bits

    public EntryAttributes {
        if ((mode & ~07777) != 0) throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits above 07777");
        if (mtime == null) throw new IllegalArgumentException("mtime is missing");
        mtime = mtime.truncatedTo(ChronoUnit.SECONDS);
        if (uid < 0 || uid > MAX_ID) throw new IllegalArgumentException("uid " + uid + " is not a 32-bit user id");
        if (gid < 0 || gid > MAX_ID) throw new IllegalArgumentException("gid " + gid + " is not a 32-bit group id");
    }

    /**
     * The attributes of {@code file} (one stat, following a link as reading the file does), or null
     * where the file system has no POSIX owner and mode (then nothing is recorded).
     */
    public static EntryAttributes of(Path file) throws IOException {
        if (!UNIX) return null;
        Map<String, Object> a = Files.readAttributes(file, "unix:mode,uid,gid,lastModifiedTime");
        return new EntryAttributes((Integer) a.get("mode") & 07777, ((FileTime) a.get("lastModifiedTime")).toInstant(),
                Integer.toUnsignedLong((Integer) a.get("uid")), Integer.toUnsignedLong((Integer) a.get("gid")));
    }

    /** The same file with another mtime (a database snapshot keeps the live file's owner and mode). */
    public EntryAttributes withMtime(Instant other) {
        return new EntryAttributes(mode, other, uid, gid);
    }

    /** The mode as the manifest writes it: four octal digits, {@code "0640"}. */
    public String modeOctal() {
        if (mode < 0 || mode > 07777) return String.format("%04o", mode);
        return new String(new char[] {(char) ('0' + (mode >> 9 & 7)), (char) ('0' + (mode >> 6 & 7)),
                (char) ('0' + (mode >> 3 & 7)), (char) ('0' + (mode & 7))});
    }

    /** Parses the manifest's mode: exactly four octal digits. */
    public static int parseMode(String text) {
        if (text == null || text.length() != 4) throw notFourOctalDigits(text);
        int mode = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '7') throw notFourOctalDigits(text);
            mode = mode << 3 | (c - '0');
        }
        return mode;
    }

    private static IllegalArgumentException notFourOctalDigits(String text) {
        return new IllegalArgumentException("mode '" + text + "' is not four octal digits (\"0640\")");
    }
}
