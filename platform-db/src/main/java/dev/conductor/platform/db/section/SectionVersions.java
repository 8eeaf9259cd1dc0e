package dev.conductor.platform.db.section;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Where section versions are counted ({@code section} is the section's name, {@code workspace} null
 * for a global one). By default the {@code config_sections} table ({@link VersionTable}), one
 * counter per section and workspace; a service whose sections version together with something else
 * provides its own bean (the identity broker: every section change is a new policy version).
 */
public interface SectionVersions {
  /** Serializes changes of the section until {@code tx} ends; answers the version in force. */
  Uni<String> lock(SqlConnection tx, String section, String workspace);

  /** The version in force; {@link #NONE} when the section was never stored. */
  Uni<String> current(SqlClient db, String section, String workspace);

  /** Records a change by {@code who}; answers the new version. */
  Uni<String> bump(SqlConnection tx, String section, String workspace, String who);

  /**
   * A value that changes whenever any version does, read in one cheap query: what {@link
   * SectionWatch} polls to notice changes made by other instances.
   */
  Uni<String> stamp(SqlClient db);

  String NONE = "0";
}
