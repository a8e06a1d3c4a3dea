# A Hive metastore service (Thrift, the one EMR and Dataproc clusters run) on 127.0.0.1 for the
# tests of catalog-published Parquet: two processes, the scoring job and a reader, must share
# one catalog, which Spark's embedded Derby metastore cannot do. It runs from the Hive 2.3 jars
# pyspark ships (its metadata in a Derby database of its own). Source after common.sh.
# shellcheck shell=bash

# Starts the metastore on a free port; sets HMS_PID and HMS_URI (thrift://127.0.0.1:PORT). The
# caller stops it (kill "$HMS_PID"). The service itself creates the table's and the partitions'
# directories, so it gets the S3A connector (EXTRA_CLASSPATH) and the fs.s3a.* settings too.
#   start_hive_metastore SPARK_HOME DIR EXTRA_CLASSPATH [KEY=VALUE...]
start_hive_metastore() {
  local spark_home="$1" dir="$2" extra="$3" port kv
  shift 3
  local conf=(--hiveconf hive.async.log.enabled=false
    --hiveconf "javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$dir/metastore_db;create=true"
    --hiveconf datanucleus.schema.autoCreateAll=true --hiveconf hive.metastore.schema.verification=false
    --hiveconf "hive.metastore.warehouse.dir=$dir/warehouse")
  for kv in "$@"; do conf+=(--hiveconf "$kv"); done
  port=$(free_port)
  mkdir -p "$dir"
  # Hive 2.3's metastore has no bind-address setting: it listens on every interface, and only
  # this machine's processes are given its address.
  (cd "$dir" && exec java -Xmx512m -Dlog4j2.configurationFile="$GLMPIPE_ROOT/conf/log4j2.properties" \
    -cp "$spark_home/jars/*${extra:+:$extra}" org.apache.hadoop.hive.metastore.HiveMetaStore -p "$port" "${conf[@]}") \
    >"$dir/metastore.log" 2>&1 &
  HMS_PID=$!
  HMS_URI="thrift://127.0.0.1:$port"
  wait_tcp 127.0.0.1 "$port" 120 || { tail -20 "$dir/metastore.log"; die "the Hive metastore did not start on $HMS_URI"; }
}
