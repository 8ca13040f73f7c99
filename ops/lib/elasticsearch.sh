# Elasticsearch for ops/run, ops/test and benchmarks: the minimal 9.2.0 distribution from Maven
# Central (integ-test-zip), single node on 127.0.0.1, run by a system user because it refuses root.
# Needs Java 21+ (ES_JAVA_HOME); uses Temurin 25 where the machine has it.

ES_VERSION=9.2.0
ES_USER=plaza-es
# Outside any home directory, so that the Elasticsearch user can read it.
ES_HOME_BASE="${PLAZA_ES_HOME:-/opt/ai-plaza}"

es_java_home() {
    for candidate in "${ES_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
        if [[ -n "$candidate" && -x "$candidate/bin/java" ]]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Elasticsearch needs Java 21 or newer: set ES_JAVA_HOME" >&2
    return 1
}

# es_install: unpacks the distribution once into the cache and prints its directory.
es_install() {
    local dist="$ES_HOME_BASE/elasticsearch-$ES_VERSION"
    if [[ ! -x "$dist/bin/elasticsearch" ]]; then
        local zip="$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
        [[ -f "$zip" ]] || mvn -B -q --no-transfer-progress dependency:get \
            -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" >&2
        command -v unzip >/dev/null || apt_ensure unzip
        mkdir -p "$ES_HOME_BASE"
        unzip -q -o "$zip" -d "$ES_HOME_BASE"
    fi
    id -u "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
    chmod -R a+rX "$ES_HOME_BASE"
    echo "$dist"
}

# es_start STATE_NAME PORT: starts a node keeping its data, logs and config under
# $ES_HOME_BASE/STATE_NAME and waits until it answers; sets ES_URL, ES_STATE and ES_PID_FILE.
es_start() {
    local state="$ES_HOME_BASE/$1" port=$2 dist java_home
    ES_STATE=$state
    dist=$(es_install)
    java_home=$(es_java_home)
    mkdir -p "$state/data" "$state/logs"
    [[ -d "$state/config" ]] || cp -r "$dist/config" "$state/config"
    chown -R "$ES_USER" "$state"
    ES_PID_FILE="$state/elasticsearch.pid"
    ES_URL="http://127.0.0.1:$port"
    es_stop_leftovers "$state"
    runuser -u "$ES_USER" -- env ES_JAVA_HOME="$java_home" ES_PATH_CONF="$state/config" \
        ES_JAVA_OPTS="-Xms${ES_HEAP:-512m} -Xmx${ES_HEAP:-512m}" "$dist/bin/elasticsearch" -d -p "$ES_PID_FILE" \
        -E discovery.type=single-node -E xpack.security.enabled=false -E network.host=127.0.0.1 \
        -E http.port="$port" -E path.data="$state/data" -E path.logs="$state/logs" \
        -E transport.port="$((port + 100))" -E cluster.routing.allocation.disk.threshold_enabled=false \
        -E action.auto_create_index=false > "$state/logs/startup.log" 2>&1 || {
        echo "Elasticsearch did not start (from $state/logs/startup.log):" >&2
        grep -E "ERROR|Exception" "$state/logs/startup.log" | head -n 5 >&2
        return 1
    }
    for ((i = 0; i < 120; i++)); do
        if curl -fsS "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
            return 0
        fi
        sleep 1
    done
    echo "Elasticsearch did not start; see $state/logs" >&2
    return 1
}

# es_stop_leftovers STATE: stops the nodes an earlier run left running on STATE (that run was killed before it could
# stop them), found by their configuration directory; they hold the data directory's lock, so a new node could not
# start there.
es_stop_leftovers() {
    local state=$1 pid
    for pid in $(pgrep -u "$ES_USER" java || true); do
        if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "ES_PATH_CONF=$state/config"; then
            echo "Stopping the Elasticsearch node an earlier run left on $state (pid $pid)" >&2
            kill "$pid" 2>/dev/null || true
            for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        fi
    done
}

es_stop() {
    if [[ -n "${ES_PID_FILE:-}" && -f "$ES_PID_FILE" ]]; then
        local pid
        pid=$(cat "$ES_PID_FILE")
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
}
