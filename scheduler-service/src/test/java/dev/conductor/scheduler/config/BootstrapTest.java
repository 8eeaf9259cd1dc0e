package dev.conductor.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.conductor.platform.db.section.SectionBootstrap;
import dev.conductor.scheduler.slot.ResourceClasses;
import dev.conductor.scheduler.support.Config;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Later starts keep the stored sections: the settings only seed an empty database. */
@QuarkusTest
class BootstrapTest {
  private static final String SECTION = "resourceClasses";

  @Inject SectionBootstrap bootstrap;
  @Inject ResourceClasses classes;

  @Test
  void aRestartKeepsTheStoredSectionOverTheSettings() {
    String rc = Config.uniqueName("bootrc-");
    Map<String, Object> doc = Config.get(SECTION);
    doc.put(rc, 5);
    Config.put(Config.operator(), SECTION, doc, false).statusCode(200);
    long version = Config.version(SECTION);
    int events = Config.awaitChange(SECTION, version).size();

    // What a restart does: the settings (without the new class) now differ from the stored section.
    bootstrap.start(null);

    assertThat(Config.version(SECTION)).isEqualTo(version);
    assertThat(Config.get(SECTION)).containsEntry(rc, 5);
    assertThat(classes.slots(rc)).contains(5);

    doc.remove(rc);
    Config.put(Config.operator(), SECTION, doc, false)
        .statusCode(200)
        .body("version", equalTo(String.valueOf(version + 1)));
    // Events of one key are published in order: once this change has landed, anything the restart
    // had emitted would have too.
    Config.awaitChange(SECTION, version + 1);
    assertThat(Config.changes(SECTION)).filteredOn(c -> c.newVersion().equals("1")).hasSize(1);
    assertThat(Config.changes(SECTION))
        .filteredOn(c -> String.valueOf(version).equals(c.oldVersion()))
        .singleElement()
        .satisfies(c -> assertThat(c.newVersion()).isEqualTo(String.valueOf(version + 1)));
    assertThat(Config.awaitChange(SECTION, version)).hasSize(events);
  }
}
