package dev.deja.db.internal;

import dev.deja.db.DatabaseConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Sessions outside the pools, for work that holds a connection for long or must survive the
 * pools' reconnects (the index pass, the invalidation listener, the maintenance lock): opened
 * straight from the driver, with TCP keepalives on the client side and a name that says what
 * they are in {@code pg_stat_activity}.
 */
final class OwnSessions {

  private OwnSessions() {}

  /**
   * @param extra further pgjdbc properties (e.g. {@code socketTimeout}), or null
   */
  static Connection open(DatabaseConfig config, String applicationName, int connectTimeoutSeconds,
      Properties extra) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", config.user());
    p.setProperty("password", config.password());
    p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", applicationName);
    if (extra != null) {
      p.putAll(extra);
    }
    return DriverManager.getConnection(config.url(), p);
  }
}
