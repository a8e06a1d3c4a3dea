package dev.glmpipe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.glmpipe.io.JsonFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ConfigRedactorTest {
  /** Secret-bearing keys of Hadoop S3A, Azure, the GCS connector, Spark, JSSE and AWS's environment. */
  static final List<String> SECRET_KEYS = List.of(
      "fs.s3a.access.key", "fs.s3a.secret.key", "fs.s3a.session.token", "fs.s3a.encryption.key",
      "fs.s3a.server-side-encryption.key", "fs.s3a.proxy.password",
      "fs.s3a.bucket.my-bucket.secret.key", "fs.s3a.bucket.my.dotted.bucket.encryption.key",
      "fs.s3a.bucket.logs.fs.s3a.server-side-encryption.key",
      "fs.s3.awsAccessKeyId", "fs.s3.awsSecretAccessKey",
      "fs.azure.account.key.acct.dfs.core.windows.net", "fs.azure.account.oauth2.client.secret",
      "fs.azure.account.oauth2.client.secret.acct.dfs.core.windows.net", "fs.azure.sas.fixed.token",
      "fs.azure.sas.container.acct.blob.core.windows.net", "fs.adl.oauth2.credential",
      "fs.gs.auth.service.account.private.key", "fs.gs.auth.service.account.private.key.id",
      "fs.gs.auth.client.secret", "fs.gs.auth.refresh.token", "fs.gs.encryption.key", "fs.gs.encryption.key.hash",
      "fs.gs.proxy.password", "google.cloud.auth.service.account.private.key",
      "spark.authenticate.secret", "spark.ssl.keyPassword", "spark.ssl.keyStorePassword",
      "spark.ssl.ui.trustStorePassword", "javax.net.ssl.keyStorePassword", "javax.net.ssl.trustStorePassword",
      "javax.jdo.option.ConnectionPassword", "spark.kubernetes.authenticate.submission.oauthToken",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
      "spark.executorEnv.AWS_SECRET_ACCESS_KEY", "spark.yarn.appMasterEnv.AWS_SESSION_TOKEN",
      "db.password", "api_token", "webhook.signature", "my.credentials");

  /** Keys that name where a secret lives or how it is used, or only look like one. */
  static final List<String> PLAIN_KEYS = List.of(
      "fs.s3a.aws.credentials.provider", "fs.s3a.assumed.role.credentials.provider",
      "hadoop.security.credential.provider.path", "fs.s3a.security.credential.provider.path",
      "fs.s3a.delegation.token.binding", "fs.s3a.encryption.algorithm", "fs.s3a.server-side-encryption-algorithm",
      "fs.gs.auth.service.account.json.keyfile", "fs.gs.auth.service.account.email", "fs.gs.auth.access.token.provider.impl",
      "google.cloud.auth.service.account.json.keyfile", "spark.authenticate", "spark.authenticate.enableSaslEncryption",
      "spark.io.encryption.keySizeBits", "spark.security.credentials.hive.enabled", "spark.ssl.keyStore",
      "metrics.password_env", "metrics.bearer_token_env", "metrics.username_env",
      "spark.sql.shuffle.partitions", "storage.root", "model.name", "dataset.key_columns", "PWD", "OLDPWD");

  @Test
  void knownSecretKeysAreSecretBareAndInEveryCarrierForm() {
    for (String key : SECRET_KEYS) {
      assertThat(ConfigRedactor.isSecretKey(key)).as(key).isTrue();
      assertThat(ConfigRedactor.isSecretKey("spark.hadoop." + key)).as("spark.hadoop." + key).isTrue();
      assertThat(ConfigRedactor.isSecretKey("spark.conf.spark.hadoop." + key)).as("spark.conf.spark.hadoop." + key).isTrue();
    }
  }

  @Test
  void keysThatOnlyNameAPlaceOrAUseAreNotMasked() {
    for (String key : PLAIN_KEYS) {
      assertThat(ConfigRedactor.isSecretKey(key)).as(key).isFalse();
      assertThat(ConfigRedactor.isSecretKey("spark.hadoop." + key)).as("spark.hadoop." + key).isFalse();
    }
  }

  @Test
  void sparksOwnRedactionFindsEveryKnownSecretKey() {
    Pattern spark = Pattern.compile(ConfigRedactor.SPARK_REDACTION_REGEX);
    for (String key : SECRET_KEYS) {
      assertThat(spark.matcher(key).find()).as(key).isTrue();
      assertThat(spark.matcher("spark.hadoop." + key).find()).as(key).isTrue();
    }
    assertThat(spark.matcher("jdbc:mysql://hive:pw-1@metastore:3306/hive").find()).isTrue();
    assertThat(spark.matcher("AKIAABCDEFGHIJKLMNOP").find()).isTrue();
    assertThat(spark.matcher("s3a://bucket/path").find()).isFalse();
    assertThat(spark.matcher("spark.sql.shuffle.partitions").find()).isFalse();
    assertThat("jdbc:postgresql://etl:pw-1@db:5432/x".replaceAll(ConfigRedactor.SPARK_REDACTION_STRING_REGEX, "R"))
        .isEqualTo("jdbc:postgresql://R@db:5432/x");
  }

  @Test
  void theTreeMasksSecretKeysAndThePasswordsOfUrls() {
    Map<String, Object> conf = new LinkedHashMap<>();
    conf.put("spark.hadoop.fs.s3a.encryption.key", "sse-c-key-0001");
    conf.put("spark.hadoop.fs.s3a.bucket.b1.secret.key", "bucket-secret-0002");
    conf.put("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.put("spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:mysql://hive:jdbc-pass-0003@metastore:3306/hive");
    conf.put("spark.hadoop.fs.s3a.access.key", "AKIAABCDEFGHIJKLMNOP");
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("spark", Map.of("conf", conf));
    tree.put("metrics", Map.of("pushgateway", "https://ops:push-pass-0004@gw:9091", "password_env", "PUSH_PASSWORD"));

    String logged = JsonFiles.toJsonLine(ConfigRedactor.redact(tree));
    assertThat(logged).doesNotContain("sse-c-key-0001", "bucket-secret-0002", "jdbc-pass-0003", "push-pass-0004",
        "AKIAABCDEFGHIJKLMNOP");
    assertThat(logged).contains("SimpleAWSCredentialsProvider", "jdbc:mysql://hive:***@metastore:3306/hive",
        "https://ops:***@gw:9091", "PUSH_PASSWORD");
  }

  @Test
  void textMasksKeyValuePairsUrlPasswordsKeyIdsAndTheRunsOwnSecrets() {
    Map<String, Object> tree = Map.of("spark", Map.of("conf", Map.of("spark.hadoop.fs.s3a.encryption.key", "sse-c-key-0001")));
    ConfigRedactor redactor = ConfigRedactor.of(tree);
    assertThat(redactor.text("cannot decrypt with sse-c-key-0001 (bad key)")).isEqualTo("cannot decrypt with *** (bad key)");
    assertThat(redactor.text("Unmatched argument: 'spark.conf.spark.hadoop.fs.s3a.secret.key=s3cr3t-0005'"))
        .isEqualTo("Unmatched argument: 'spark.conf.spark.hadoop.fs.s3a.secret.key=***'");
    assertThat(redactor.text("jdbc:postgresql://db/x?user=etl&password=pg-0006&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/x?user=etl&password=***&ssl=true");
    assertThat(redactor.text("{\"fs.s3a.session.token\":\"tok en-0007\",\"rows\":3}"))
        .isEqualTo("{\"fs.s3a.session.token\":\"***\",\"rows\":3}");
    assertThat(redactor.text("jdbc:oracle:thin:scott/tiger-0008@db:1521/orcl")).isEqualTo("jdbc:oracle:thin:scott/***@db:1521/orcl");
    assertThat(redactor.text("key id ASIAABCDEFGHIJKLMNOP denied")).isEqualTo("key id *** denied");
    assertThat(redactor.text("fs.s3a.secret.key: yaml-0012")).isEqualTo("fs.s3a.secret.key: ***");
    String prose = "config key 'metrics.pushgateway': must not carry credentials: name their environment variables";
    assertThat(redactor.text(prose)).isEqualTo(prose);
    String plain = "raw input partition not found: file:/data/raw/dt=2026-10-01 (commit 0123456789abcdef0123456789abcdef01234567)";
    assertThat(redactor.text(plain)).isEqualTo(plain);
  }

  @Test
  void aLoggedExceptionKeepsItsStackButNotItsSecrets() {
    ConfigRedactor redactor = ConfigRedactor.of(Map.of("spark", Map.of("conf", Map.of("spark.authenticate.secret", "auth-secret-0009"))));
    IllegalStateException original = new IllegalStateException("outer auth-secret-0009",
        new java.io.IOException("cannot reach s3a://k:auth-secret-0009@bucket/x"));
    Throwable copy = redactor.throwable(original);
    assertThat(copy.getMessage()).isEqualTo("java.lang.IllegalStateException: outer ***");
    assertThat(copy.getCause().getMessage()).doesNotContain("auth-secret-0009").startsWith("java.io.IOException");
    assertThat(copy.getStackTrace()).isEqualTo(original.getStackTrace());
    // Nothing to mask anywhere in the chain: the exception itself, its class intact.
    IllegalStateException clean = new IllegalStateException("outer", new java.io.IOException("inner"));
    assertThat(redactor.throwable(clean)).isSameAs(clean);
  }

  @Test
  void aConfigErrorOnASecretKeyDoesNotQuoteItsValue() {
    assertThatThrownBy(() -> ConfigLoader.loadTree(List.of("../conf/local.yaml"),
        List.of("spark.conf.spark.hadoop.fs.s3a.encryption.key=sse-c-key-0010: [")))
        .hasMessageContaining("spark.conf.spark.hadoop.fs.s3a.encryption.key")
        .hasMessageNotContaining("sse-c-key-0010");
    assertThatThrownBy(() -> ConfigLoader.load(List.of("../conf/local.yaml"), List.of("spark.conf={a: 1}", "model.type=pw-0011")))
        .hasMessageContaining("pw-0011"); // not a secret key: the bad value is shown
  }
}
