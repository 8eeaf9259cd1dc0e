package dev.conductor.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedDatabaseTest {
  @Test
  void answersSelectOneOverJdbc() throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start();
        Connection connection =
            DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(db.reactiveUrl())
          .startsWith("postgresql://")
          .isEqualTo(db.jdbcUrl().substring("jdbc:".length()).split("\\?")[0]);
    }
  }

  @Test
  void reactiveUrlDropsJdbcParameters() {
    EmbeddedDatabase db =
        EmbeddedDatabase.external(
            "jdbc:postgresql://db.example:5433/conductor?loggerLevel=OFF", "u", "p");
    assertThat(db.reactiveUrl()).isEqualTo("postgresql://db.example:5433/conductor");
    db.close(); // an external server is left alone: nothing to connect to here
  }
}
