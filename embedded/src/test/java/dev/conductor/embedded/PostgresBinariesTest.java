package dev.conductor.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * The PostgreSQL binaries are unpacked with a small heap, atomically, and nothing a killed or
 * concurrent unpack leaves behind trips up the next start.
 */
class PostgresBinariesTest {
  @TempDir Path dir;

  @Test
  void twoLaunchersWithTheRunnersHeapStartAtOnceOnAnEmptyTempDirectory() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    // 64m is the heap the local runner gives PostgresMain; zonky's own unpacking needs ~70 MB.
    List<Process> launchers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        launchers.add(
            MainProcessesTest.launch(
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp),
                PostgresMain.class,
                "--port",
                "0",
                "--dir",
                dir.resolve("data-" + i).toString()));
      }
      for (Process launcher : launchers) {
        assertThat(MainProcessesTest.readyLine(launcher)).startsWith("POSTGRES READY ");
      }
    } finally {
      for (Process launcher : launchers) {
        launcher.destroy();
      }
      for (Process launcher : launchers) {
        launcher.onExit().get();
      }
    }
    assertThat(names(tmp.resolve(PostgresBinaries.WORKING_DIR)))
        .as("one finished copy; the loser's staging folder is gone")
        .singleElement()
        .asString()
        .startsWith("PG-");
  }

  @Test
  void aStagingFolderAndAnIncompleteCopyLeftBehindAreNotUsed() throws Exception {
    Path finished = PostgresBinaries.prepare(dir.resolve("first")).binaries();

    Path work = Files.createDirectories(dir.resolve("second"));
    Path staging = Files.createDirectories(work.resolve(".staging-killed/share/postgresql"));
    Files.writeString(staging.resolve("half.sql"), "create tab");
    Files.setLastModifiedTime(
        work.resolve(".staging-killed"), FileTime.from(Instant.now().minusSeconds(7200)));
    Path incomplete = work.resolve(finished.getFileName());
    Files.createDirectories(incomplete.resolve("lib"));
    Files.writeString(incomplete.resolve("lib/libpq.so"), "half");

    PostgresBinaries.Prepared again = PostgresBinaries.prepare(work);

    assertThat(again.binaries()).isEqualTo(incomplete);
    assertThat(PostgresBinaries.isComplete(again.binaries())).isTrue();
    assertThat(again.binaries().resolve("bin/postgres")).isExecutable();
    assertThat(Files.size(again.binaries().resolve("lib/libpq.so"))).isGreaterThan(1000);
    assertThat(names(work))
        .as("the old staging folder is swept")
        .containsExactly(finished.getFileName().toString());

    try (EmbeddedDatabase db = EmbeddedDatabase.embedded(0, null, work, false)) {
      assertThat(db.jdbcUrl()).startsWith("jdbc:postgresql://");
    }
    assertThat(names(work)).contains(finished.getFileName().toString());
    assertThat(again.binaries().resolve("epg-lock"))
        .as("zonky took the copy as ready and did not unpack again")
        .doesNotExist();
  }

  @Test
  void anArchiveEntryOutsideItsFolderIsRefused() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new XZOutputStream(bytes, new LZMA2Options()))) {
      byte[] content = "owned".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry entry = new TarArchiveEntry("../escaped");
      entry.setSize(content.length);
      tar.putArchiveEntry(entry);
      tar.write(content);
      tar.closeArchiveEntry();
    }
    Path into = Files.createDirectories(dir.resolve("into"));

    assertThatThrownBy(
            () -> PostgresBinaries.unpack(new ByteArrayInputStream(bytes.toByteArray()), into))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("outside its folder");
    assertThat(dir.resolve("escaped")).doesNotExist();
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
