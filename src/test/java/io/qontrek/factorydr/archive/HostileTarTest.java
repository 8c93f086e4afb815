package io.qontrek.factorydr.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tars an attacker could plant in the archive bucket; the reader refuses them, naming the entry. */
class HostileTarTest {
    @TempDir Path dir;

    private interface Planter {
        void plant(TarArchiveOutputStream tar) throws IOException;
    }

    /** A tar with a harmless file first, then the hostile entry, encrypted and gzipped like ours. */
    private Path hostile(Planter planter) throws IOException {
        Path file = dir.resolve("hostile.tar.gz.enc");
        try (OutputStream out = Gzip.compressing(OpensslCipher.encrypting(Files.newOutputStream(file), ArchiveFixture.PASSWORD), 1);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry ok = new TarArchiveEntry("proof/ok.json");
            ok.setSize(2);
            tar.putArchiveEntry(ok);
            tar.write("{}".getBytes());
            tar.closeArchiveEntry();
            planter.plant(tar);
            tar.finish();
        }
        return file;
    }

    private static void plain(TarArchiveOutputStream tar, TarArchiveEntry entry) throws IOException {
        entry.setSize(4);
        tar.putArchiveEntry(entry);
        tar.write("evil".getBytes());
        tar.closeArchiveEntry();
    }

    private static void special(TarArchiveOutputStream tar, TarArchiveEntry entry) throws IOException {
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private List<String> read(Path file) throws IOException {
        List<String> seen = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            ArchiveReader.read(in, ArchiveFixture.PASSWORD, (entry, content) -> seen.add(entry.name()));
        }
        return seen;
    }

    @Test
    void symlink() throws Exception {
        Path file = hostile(tar -> {
            TarArchiveEntry link = new TarArchiveEntry("config/key_registry.json", TarConstants.LF_SYMLINK);
            link.setLinkName("/etc/shadow");
            special(tar, link);
        });
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry 'config/key_registry.json': symbolic link to '/etc/shadow'");
    }

    @Test
    void hardLink() throws Exception {
        Path file = hostile(tar -> {
            TarArchiveEntry link = new TarArchiveEntry("proof/hard", TarConstants.LF_LINK);
            link.setLinkName("proof/ok.json");
            special(tar, link);
        });
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry 'proof/hard': hard link to 'proof/ok.json'");
    }

    @Test
    void dotDot() throws Exception {
        Path file = hostile(tar -> plain(tar, new TarArchiveEntry("../evil")));
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry '../evil': name contains '..'");
    }

    @Test
    void dotDotInside() throws Exception {
        Path file = hostile(tar -> plain(tar, new TarArchiveEntry("proof/../../evil")));
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry 'proof/../../evil': name contains '..'");
    }

    @Test
    void absolute() throws Exception {
        Path file = hostile(tar -> plain(tar, new TarArchiveEntry("/etc/x", true)));
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry '/etc/x': absolute name");
    }

    @Test
    void device() throws Exception {
        Path file = hostile(tar -> special(tar, new TarArchiveEntry("data/null", TarConstants.LF_CHR)));
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry 'data/null': device");
    }

    @Test
    void fifo() throws Exception {
        Path file = hostile(tar -> special(tar, new TarArchiveEntry("data/pipe", TarConstants.LF_FIFO)));
        assertThatThrownBy(() -> read(file)).isInstanceOf(ArchiveException.class)
                .hasMessage("refusing tar entry 'data/pipe': FIFO");
    }

    @Test
    void theHarmlessControlArchiveIsRead() throws Exception {
        Path file = hostile(tar -> plain(tar, new TarArchiveEntry("proof/fine.json")));
        assertThat(read(file)).containsExactly("proof/ok.json", "proof/fine.json");
    }

    @Test
    void plainTarReaderRefusesToo() throws Exception {
        Path tarFile = dir.resolve("x.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(tarFile))) {
            plain(tar, new TarArchiveEntry("/etc/x", true));
            tar.finish();
        }
        // GNU tar would strip the '/' and extract; we refuse outright.
        assertThat(Tools.bash(dir, "tar -tf x.tar").ok().stdout()).isEqualTo("/etc/x\n");
        try (InputStream in = Files.newInputStream(tarFile)) {
            assertThatThrownBy(() -> ArchiveReader.readTar(in, (e, c) -> {})).hasMessage("refusing tar entry '/etc/x': absolute name");
        }
    }
}
