package dev.conductor.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The embedded PostgreSQL binaries, unpacked once per temp directory in a way a small heap and a
 * killed process cannot break.
 *
 * <p>zonky's own unpacking holds the whole archive and every unpacked file in memory (about 70 MB,
 * so a 64 MB launcher dies), and it unpacks in place: a process killed halfway leaves a folder that
 * every later start trips over. Here the archive is streamed (memory bounded by the xz dictionary,
 * 8 MiB) into a private staging folder, which is renamed into place in one atomic step once it is
 * complete. Two processes preparing at once each stage their own copy; the first rename wins and
 * the other throws its copy away. A staging folder left by a killed process is never looked at
 * again (and swept once it is old).
 *
 * <p>zonky is then pointed at the finished folder: it looks for {@code <working dir>/PG-<md5 of
 * what the resolver returns>/.exists}, so the resolver returns a small key naming the archive's
 * content, and the folder is moved to exactly that name.
 */
final class PostgresBinaries {
  static final String WORKING_DIR = "conductor-pg";
  private static final String READY_MARKER = ".exists";
  private static final String STAGING_PREFIX = ".staging-";
  private static final Duration STALE_STAGING = Duration.ofHours(1);
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

  /** What to hand zonky: the key resolver and the folder under which the binaries sit. */
  record Prepared(Path workingDir, Path binaries, PgBinaryResolver resolver) {}

  /** Reads nothing but the key: zonky only hashes it and finds the folder ready. */
  private record KeyResolver(String key) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) {
      return new ByteArrayInputStream(key.getBytes(StandardCharsets.UTF_8));
    }
  }

  private PostgresBinaries() {}

  /** Where the binaries go unless told otherwise: one copy per {@code java.io.tmpdir}. */
  static Path defaultWorkingDir() {
    return Path.of(System.getProperty("java.io.tmpdir")).resolve(WORKING_DIR);
  }

  /** Prepares the binaries under {@code workingDir}, unpacking them if no one has yet. */
  static Prepared prepare(Path workingDir) {
    try {
      Files.createDirectories(workingDir);
      String key = "conductor-pg-" + archiveDigest();
      Path target = workingDir.resolve("PG-" + md5Hex(key));
      if (!isComplete(target)) {
        sweepStaleStaging(workingDir);
        install(workingDir, target);
      }
      return new Prepared(workingDir, target, new KeyResolver(key));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not unpack the PostgreSQL binaries into "
              + workingDir
              + " ("
              + e
              + "): free space there, or point java.io.tmpdir at a writable disk with 100 MB free"
              + " (JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR)",
          e);
    }
  }

  static boolean isComplete(Path binaries) {
    return Files.isRegularFile(binaries.resolve(READY_MARKER));
  }

  private static void install(Path workingDir, Path target) throws IOException {
    Path staging = workingDir.resolve(STAGING_PREFIX + UUID.randomUUID());
    Files.createDirectory(staging);
    try {
      try (InputStream archive = archive()) {
        unpack(archive, staging);
      }
      Files.setPosixFilePermissions(staging, DIRECTORY);
      // zonky takes the folder as ready when this marker is its newest entry: it is written last.
      Files.createFile(staging.resolve(READY_MARKER));
      moveIntoPlace(workingDir, staging, target);
    } finally {
      Dirs.deleteQuietly(staging);
    }
  }

  /**
   * Renames the complete staging folder to {@code target}. A target that exists but is incomplete
   * (left by something other than this class) is moved aside first; one that is complete means
   * another process won the race, and ours is thrown away by the caller.
   */
  private static void moveIntoPlace(Path workingDir, Path staging, Path target) throws IOException {
    for (int tries = 0; tries < 3; tries++) {
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        return;
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the temp directory does not support atomic renames", e);
      } catch (IOException e) {
        // rename(2) onto a non-empty folder fails with ENOTEMPTY, which Java reports as a plain
        // FileSystemException: whether the target is there decides, not the exception type.
        if (!Files.exists(target)) {
          throw e;
        }
        if (isComplete(target)) {
          return;
        }
        Path aside = workingDir.resolve(STAGING_PREFIX + "broken-" + UUID.randomUUID());
        try {
          Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
          Dirs.deleteQuietly(aside);
        } catch (NoSuchFileException gone) {
          // another process moved it aside first
        }
      }
    }
    throw new IOException("could not move the unpacked binaries to " + target);
  }

  /** Streams the tar.xz into {@code dir}: files, directories and symbolic links, with modes. */
  static void unpack(InputStream archive, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive, 1 << 16)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = root.resolve(entry.getName()).normalize();
        if (!path.startsWith(root)) {
          throw new IOException("archive entry outside its folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          Files.setPosixFilePermissions(path, DIRECTORY);
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, root.resolve(entry.getLinkName()).normalize());
        } else if (entry.isFile()) {
          Files.copy(tar, path);
          Files.setPosixFilePermissions(path, permissions(entry.getMode()));
        } else {
          throw new IOException("unsupported archive entry: " + entry.getName());
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    StringBuilder rwx = new StringBuilder(9);
    String letters = "rwxrwxrwx";
    for (int bit = 8; bit >= 0; bit--) {
      rwx.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
    }
    return PosixFilePermissions.fromString(rwx.toString());
  }

  /** Staging folders of processes killed mid-unpack: kept a while in case one is still working. */
  private static void sweepStaleStaging(Path workingDir) throws IOException {
    Instant cutoff = Instant.now().minus(STALE_STAGING);
    try (var entries = Files.newDirectoryStream(workingDir, STAGING_PREFIX + "*")) {
      for (Path staging : entries) {
        FileTime modified = Files.getLastModifiedTime(staging);
        if (modified.toInstant().isBefore(cutoff)) {
          Dirs.deleteQuietly(staging);
        }
      }
    }
  }

  private static InputStream archive() throws IOException {
    InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system(), hardware());
    if (in == null) {
      throw new IOException(
          "no embedded PostgreSQL binaries for "
              + system()
              + " "
              + hardware()
              + " on the class path; set CONDUCTOR_DB_URL to use an existing server");
    }
    return in;
  }

  /** SHA-256 of the archive, streamed: the folder name changes when the binaries do. */
  private static String archiveDigest() throws IOException {
    MessageDigest sha = digest("SHA-256");
    try (InputStream in = new DigestInputStream(archive(), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String md5Hex(String key) {
    return HexFormat.of().formatHex(digest("MD5").digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The names zonky uses to pick its bundled archive. */
  private static String system() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    if (os.contains("mac")) {
      return "Darwin";
    }
    return os.contains("win") ? "Windows" : "Linux";
  }

  private static String hardware() {
    String arch = System.getProperty("os.arch");
    return "amd64".equals(arch) ? "x86_64" : arch;
  }
}
