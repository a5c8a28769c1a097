#!/bin/sh
# Runs one store of the Compose stack (the service name is the argument), as its own user.
set -eu
case "$1" in
postgres)
  # Passwords over the network; its own socket (the health check) as the postgres user. UTF-8:
  # FerretDB refuses a database of any other encoding (minbase has no locale to default to).
  data=/var/lib/postgresql/data
  mkdir -p "$data" && chown postgres "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "$POSTGRES_PASSWORD" > /tmp/pw && chown postgres /tmp/pw
    su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/initdb -D $data -U postgres --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8" >/dev/null
    rm /tmp/pw
    echo "host all all 0.0.0.0/0 scram-sha-256" >> "$data/pg_hba.conf"
    su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/postgres -D $data -c listen_addresses='' -k /tmp" &
    until su postgres -s /bin/sh -c "psql -h /tmp -qc 'select 1'" >/dev/null 2>&1; do sleep 0.2; done
    su postgres -s /bin/sh -c "createdb -h /tmp $POSTGRES_DB"
    su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $data -m fast -w stop" >/dev/null
  fi
  exec su postgres -s /bin/sh -c "exec /usr/lib/postgresql/15/bin/postgres -D $data -c listen_addresses='*' -k /tmp -c shared_buffers=64MB"
  ;;
mongodb)
  exec su nobody -s /bin/sh -c "exec ferretdb --listen-addr=:27017 --handler=postgresql --postgresql-url='$FERRETDB_POSTGRESQL_URL' --telemetry=disable --state-dir=/tmp"
  ;;
kafka)
  data=/var/lib/kafka/data
  mkdir -p "$data" && chown kafka "$data"
  cat > /tmp/server.properties <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=PLAINTEXT://kafka:9092
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  # The class path's * is java's, not the shell's (quoted for the shell su starts).
  cat > /tmp/log4j2.xml <<XML
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Root level="INFO"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
XML
  java="java -Xms256m -Xmx256m -XX:+UseSerialGC -Dlog4j2.configurationFile=/tmp/log4j2.xml -cp '/opt/kafka/*'"
  if [ ! -f "$data/meta.properties" ]; then
    su kafka -s /bin/sh -c "$java kafka.tools.StorageTool format --standalone --cluster-id=c3RyZWFtLXBsYXRmb3JtMQ -c /tmp/server.properties" >/dev/null
  fi
  exec su kafka -s /bin/sh -c "exec $java kafka.Kafka /tmp/server.properties"
  ;;
elasticsearch)
  mkdir -p /usr/share/elasticsearch/data && chown elasticsearch /usr/share/elasticsearch/data
  cat > /opt/elasticsearch/config/elasticsearch.yml <<YML
cluster.name: stream-platform
path.data: /usr/share/elasticsearch/data
network.host: 0.0.0.0
discovery.type: single-node
xpack.security.enabled: false
action.destructive_requires_name: false
cluster.routing.allocation.disk.threshold_enabled: false
YML
  exec su elasticsearch -s /bin/sh -c "ES_JAVA_OPTS='$ES_JAVA_OPTS' ES_JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 exec /opt/elasticsearch/bin/elasticsearch"
  ;;
mailpit)
  # MP_DATABASE (Compose's environment) says where it keeps the inbox.
  mkdir -p /data && chown nobody /data
  exec su nobody -s /bin/sh -c "exec mailpit --smtp=0.0.0.0:1025 --listen=0.0.0.0:8025 --smtp-disable-rdns --quiet"
  ;;
*) echo "unknown store: $1" >&2; exit 2 ;;
esac
