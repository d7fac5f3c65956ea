#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) for development and tests, run straight from
# Maven Central jars: no Docker, no tarball download.
#
#   deploy/kafka/kafka.sh start|stop|status
#
# Env: KAFKA_HOME_DIR (state dir, default <repo>/.kafka), KAFKA_PORT (9092),
#      KAFKA_CONTROLLER_PORT (9093), KAFKA_LIB_DIR (the jars, default
#      <state dir>/lib; another state dir's lib can be shared), KAFKA_HEAP_OPTS
#      (default -Xms256m -Xmx512m).
#
# KAFKA_SASL_SSL=1 serves clients on a SASL_SSL listener instead of PLAINTEXT
# (SCRAM-SHA-512 and PLAIN), with KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD as
# the client user. The SCRAM user is created when the state dir is formatted;
# the PLAIN user is read from the listener config at every start. A CA and a
# broker certificate for 127.0.0.1/localhost are made with keytool in
# <state dir>/tls on the first start; clients trust <state dir>/tls/ca.pem.
# The controller listener stays PLAINTEXT on loopback.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${KAFKA_HOME_DIR:-$REPO/.kafka}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
LIB="${KAFKA_LIB_DIR:-$STATE/lib}"
DATA="$STATE/data"
LOGS="$STATE/logs"
PIDFILE="$STATE/kafka.pid"
CONFIG="$STATE/server.properties"
TLS="$STATE/tls"
SASL_SSL="${KAFKA_SASL_SSL:-0}"
START_TIMEOUT=60
STOP_TIMEOUT=30

log() { echo "kafka.sh: $*" >&2; }

# A bare TCP connect is not enough: the broker binds its port before it can
# serve requests. Send a real ApiVersions v0 request (api key 18, correlation
# id 1, null client id) and expect a reply carrying that correlation id.
APIVERSIONS_V0='\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff'
# shellcheck disable=SC2016 # $1 and $2 are expanded by the inner bash on purpose
kafka_answers() {
  local reply
  if [[ "$SASL_SSL" == 1 ]]; then
    # ApiVersions is served before SASL authentication, so the same probe
    # works inside TLS; the pause keeps s_client open until the reply is in.
    [[ -f "$TLS/ca.pem" ]] || return 1
    reply="$({ printf '%b' "$APIVERSIONS_V0"; sleep 1; } |
      timeout 4 openssl s_client -quiet -no_ign_eof -verify_return_error -CAfile "$TLS/ca.pem" \
        -connect "127.0.0.1:$PORT" 2>/dev/null | head -c 8 | od -An -tx1 | tr -d ' \n')" || true
  else
    reply="$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "%b" "$2" >&3
      head -c 8 <&3' _ "$PORT" "$APIVERSIONS_V0" 2>/dev/null | od -An -tx1 | tr -d ' \n')" || true
  fi
  [[ "$reply" == ????????00000001 ]]
}

# shellcheck disable=SC2016
port_taken() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# kill -0 also succeeds on a zombie, which is what a crashed broker is until
# this shell exits; read the process state instead.
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" && [[ -n "$state" && "$state" != Z ]]
}

# Our broker only: the pid file could be stale and the pid reused by anything.
our_pid() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka ' || return 1
  echo "$pid"
}

fetch_jars() {
  # Re-fetch when the pom changes (e.g. a Kafka version bump), not on every start.
  local want have=""
  want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [[ -f "$LIB/.pom.sha256" ]] && have="$(cat "$LIB/.pom.sha256")"
  [[ "$want" == "$have" ]] && return 0
  log "fetching Kafka jars from Maven Central into $LIB"
  rm -rf "$LIB"
  # Maven's output goes to a file: on success it is noise (colour codes even with -q).
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIB" >"$LOGS/mvn.log" 2>&1 ||
    { cat "$LOGS/mvn.log" >&2; return 1; }
  echo "$want" >"$LIB/.pom.sha256"
}

# The SASL user goes into a JAAS line and a StorageTool argument unquoted:
# refuse what either would read as syntax.
check_sasl_user() {
  local name="${KAFKA_SASL_USERNAME:-}" pass="${KAFKA_SASL_PASSWORD:-}"
  if [[ ! "$name" =~ ^[A-Za-z0-9._-]+$ ]]; then
    log "KAFKA_SASL_SSL=1 needs KAFKA_SASL_USERNAME (letters, digits, '.', '_', '-')"
    return 1
  fi
  if [[ -z "$pass" || "$pass" =~ [^A-Za-z0-9._~+/@%:-] ]]; then
    log "KAFKA_SASL_SSL=1 needs KAFKA_SASL_PASSWORD (letters, digits and ._~+/@%:- only)"
    return 1
  fi
}

# Secrets of the state dir (store password, the broker's own PLAIN password),
# made once; the file and everything derived from it is readable by us only.
secret() {
  local file="$TLS/$1"
  [[ -s "$file" ]] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$file")
  cat "$file"
}

# A CA, and a broker certificate for 127.0.0.1/localhost signed by it, in a
# PKCS12 keystore; the CA alone in a PKCS12 truststore (for the broker's own
# inter-broker connections) and as PEM (for clients). keytool only.
make_certificates() {
  [[ -f "$TLS/ca.pem" && -f "$TLS/broker.p12" && -f "$TLS/truststore.p12" ]] && return 0
  log "making a CA and a broker certificate in $TLS"
  mkdir -p "$TLS"
  rm -f "$TLS"/*.p12 "$TLS"/*.pem "$TLS"/*.csr "$TLS"/*.crt
  local pw san="SAN=ip:127.0.0.1,dns:localhost"
  pw="$(secret store.password)"
  local kt=(keytool -noprompt -storetype PKCS12 -storepass "$pw")
  # One chain: -e does not reach inside a subshell whose status is tested.
  (
    umask 077 &&
    "${kt[@]}" -genkeypair -keystore "$TLS/ca.p12" -alias ca -keyalg RSA -keysize 2048 \
      -dname "CN=processing-ledger dev CA" -ext bc:c -validity 3650 &&
    "${kt[@]}" -exportcert -keystore "$TLS/ca.p12" -alias ca -rfc -file "$TLS/ca.pem" &&
    "${kt[@]}" -genkeypair -keystore "$TLS/broker.p12" -alias broker -keyalg RSA -keysize 2048 \
      -dname "CN=127.0.0.1" -ext "$san" -validity 825 &&
    "${kt[@]}" -certreq -keystore "$TLS/broker.p12" -alias broker -file "$TLS/broker.csr" &&
    "${kt[@]}" -gencert -keystore "$TLS/ca.p12" -alias ca -infile "$TLS/broker.csr" -outfile "$TLS/broker.crt" \
      -rfc -validity 825 -ext "$san" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth,clientAuth &&
    # The chain: the CA first, so the signed reply can be matched to it.
    "${kt[@]}" -importcert -keystore "$TLS/broker.p12" -alias ca -file "$TLS/ca.pem" &&
    "${kt[@]}" -importcert -keystore "$TLS/broker.p12" -alias broker -file "$TLS/broker.crt" &&
    "${kt[@]}" -importcert -keystore "$TLS/truststore.p12" -alias ca -file "$TLS/ca.pem"
  ) >"$LOGS/keytool.log" 2>&1 || { cat "$LOGS/keytool.log" >&2; return 1; }
  # Clients need the CA's certificate, which is public.
  chmod 644 "$TLS/ca.pem"
}

sasl_ssl_config() {
  local pw broker_pw
  pw="$(secret store.password)"
  broker_pw="$(secret broker.password)"
  echo "listeners=SASL_SSL://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT"
  echo "advertised.listeners=SASL_SSL://127.0.0.1:$PORT"
  echo "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"
  # Transaction markers go broker to broker, here to itself: as user "broker" over PLAIN.
  echo "inter.broker.listener.name=SASL_SSL"
  echo "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN"
  echo "sasl.mechanism.inter.broker.protocol=PLAIN"
  echo "ssl.keystore.type=PKCS12"
  echo "ssl.keystore.location=$TLS/broker.p12"
  echo "ssl.keystore.password=$pw"
  echo "ssl.key.password=$pw"
  echo "ssl.truststore.type=PKCS12"
  echo "ssl.truststore.location=$TLS/truststore.p12"
  echo "ssl.truststore.password=$pw"
  echo "ssl.client.auth=none"
  echo "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  echo "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required" \
    "username=\"broker\" password=\"$broker_pw\" user_broker=\"$broker_pw\"" \
    "user_$KAFKA_SASL_USERNAME=\"$KAFKA_SASL_PASSWORD\";"
}

write_config() {
  # StorageTool reads only a file (no --override), so both it and the broker
  # get the same generated copy; Java Properties lets the last key win. It
  # holds passwords in SASL_SSL mode: ours only.
  (
    umask 077
    cat "$HERE/server.properties"
    echo
    echo "# ---- generated by kafka.sh ----"
    echo "log.dirs=$DATA"
    echo "controller.quorum.bootstrap.servers=127.0.0.1:$CPORT"
    if [[ "$SASL_SSL" == 1 ]]; then
      sasl_ssl_config
    else
      echo "listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT"
      echo "advertised.listeners=PLAINTEXT://127.0.0.1:$PORT"
    fi
  ) >"$CONFIG.new"
  chmod 600 "$CONFIG.new"
  mv "$CONFIG.new" "$CONFIG"
}

# Classpath and logging shared by the broker and StorageTool.
JAVA_BASE=(-cp "$LIB/*" -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$LOGS")
java_run() { java "${JAVA_BASE[@]}" "$@"; }

format_once() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  local id
  id="$(java_run kafka.tools.StorageTool random-uuid)"
  log "formatting $DATA (cluster id $id)"
  # The SCRAM password is on StorageTool's command line for the moment of the
  # format (it has no other way in): fine for a dev broker on its own machine.
  local scram=()
  [[ "$SASL_SSL" == 1 ]] && scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]")
  java_run kafka.tools.StorageTool format --standalone -t "$id" -c "$CONFIG" "${scram[@]}" >"$LOGS/format.log" 2>&1 ||
    { cat "$LOGS/format.log" >&2; return 1; }
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    kafka_answers && return 0
    alive "$pid" || return 1
    sleep 0.5
  done
  return 1
}

# Parallel test runners may call start/stop at the same moment; serialise them
# so only one broker is launched and storage is formatted once.
take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock 9
}

cmd_start() {
  local pid
  take_lock
  if pid="$(our_pid)"; then
    # Running or still booting: wait rather than launching a second one.
    if wait_ready "$pid"; then
      echo "already running (pid $pid, 127.0.0.1:$PORT)"
      return 0
    fi
    log "pid $pid is alive but the broker does not answer on 127.0.0.1:$PORT"
    tail -n 40 "$LOGS/server.log" >&2 || true
    return 1
  fi
  if kafka_answers; then
    # E.g. a broker left over from another checkout: usable, but not ours to stop.
    echo "already running: a Kafka broker not started from $STATE answers on 127.0.0.1:$PORT"
    return 0
  fi
  local p
  for p in "$PORT" "$CPORT"; do
    if port_taken "$p"; then
      log "port $p is in use by something that is not Kafka; set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
      return 1
    fi
  done

  mkdir -p "$STATE" "$DATA" "$LOGS"
  if [[ "$SASL_SSL" == 1 ]]; then
    check_sasl_user
    make_certificates
  fi
  fetch_jars
  write_config
  format_once

  # Remember where this start's log output begins, to show only that on failure.
  local from=1
  [[ -f "$LOGS/server.log" ]] && from=$(($(wc -l <"$LOGS/server.log") + 1))

  # setsid + nohup: the broker must outlive the shell (and the test runner's
  # process group) that started it; stop uses the pid file instead. 9>&- so the
  # broker does not hold the start/stop lock for its whole life.
  # 512 MB heap is plenty for test traffic and leaves room on a 2-core CI box;
  # a short-lived second broker can be given less with KAFKA_HEAP_OPTS.
  local heap
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
  nohup setsid java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true "${JAVA_BASE[@]}" \
    kafka.Kafka "$CONFIG" >"$LOGS/stdout.log" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PIDFILE"

  if wait_ready "$pid"; then
    echo "started (pid $pid, 127.0.0.1:$PORT, in ${SECONDS}s)"
    return 0
  fi
  if alive "$pid"; then
    log "broker did not answer within ${START_TIMEOUT}s; killing it"
    kill -9 "$pid" 2>/dev/null || true
  else
    log "broker exited during startup"
  fi
  # The cause is usually an ERROR line followed by a long stack trace, so show
  # the errors first and then the tail.
  {
    echo "---- errors ($LOGS/server.log) ----"
    tail -n "+$from" "$LOGS/server.log" 2>/dev/null | grep -E '^\[.*\] (ERROR|FATAL)' | tail -n 10
    echo "---- last lines ----"
    tail -n "+$from" "$LOGS/server.log" 2>/dev/null | tail -n 25
    cat "$LOGS/stdout.log" 2>/dev/null
  } >&2 || true
  rm -f "$PIDFILE"
  return 1
}

cmd_stop() {
  local pid
  take_lock
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    echo "stopped"
    kafka_answers && log "note: a broker not started from $STATE still answers on 127.0.0.1:$PORT"
    return 0
  fi
  # SIGTERM runs Kafka's controlled shutdown, which flushes logs and avoids
  # a slow log recovery on the next start.
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.5; done
  if alive "$pid"; then
    log "no exit after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.2; done
  fi
  rm -f "$PIDFILE"
  echo "stopped"
}

cmd_status() {
  local pid
  if kafka_answers; then
    if pid="$(our_pid)"; then
      echo "running (pid $pid, 127.0.0.1:$PORT)"
    else
      echo "running (127.0.0.1:$PORT, but not started from $STATE)"
    fi
    return 0
  fi
  echo "stopped"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
