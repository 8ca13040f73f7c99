# AI PLAZA as a cluster on this machine, for ops/cluster, its scenario test and ops/bench/cluster: N app
# instances sharing one PostgreSQL server, Elasticsearch, anvil and S3 (S3Proxy), behind HAProxy (round robin,
# health-checked). Source after common.sh, elasticsearch.sh and chain.sh.
#
# Every process's pid is kept in a file under CLUSTER_DIR, so that `ops/cluster stop` run from another shell
# stops what `ops/cluster start` started. Ports and the directory can be set from the environment.

source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"
source "$(dirname "${BASH_SOURCE[0]}")/s3.sh"

CLUSTER_DIR="${PLAZA_CLUSTER_DIR:-$ROOT/target/cluster}"
CLUSTER_LB_PORT=${CLUSTER_LB_PORT:-18330}
# Instance i listens on CLUSTER_APP_PORT_BASE + i (i = 1..N).
CLUSTER_APP_PORT_BASE=${CLUSTER_APP_PORT_BASE:-18330}
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-18335}
CLUSTER_ES_PORT=${CLUSTER_ES_PORT:-19680}
CLUSTER_ES_STATE=${CLUSTER_ES_STATE:-cluster}
CLUSTER_ANVIL_PORT=${CLUSTER_ANVIL_PORT:-18836}
CLUSTER_S3_PORT=${CLUSTER_S3_PORT:-18337}
CLUSTER_BUCKET=plaza-blobs
CLUSTER_DATABASE=plaza

cluster_app_port() { echo $((CLUSTER_APP_PORT_BASE + $1)); }
cluster_app_url() { echo "http://127.0.0.1:$(cluster_app_port "$1")"; }
cluster_url() { echo "http://127.0.0.1:$CLUSTER_LB_PORT"; }
cluster_app_log() { echo "$CLUSTER_DIR/app-$1.log"; }
cluster_psql() { psql -q -h 127.0.0.1 -p "$CLUSTER_PG_PORT" -U postgres -d "$CLUSTER_DATABASE" -v ON_ERROR_STOP=1 -At "$@"; }

# pid_file_kill FILE [SIGNAL]: signals the process named in FILE (TERM by default) and waits until it is gone.
pid_file_kill() {
    local file=$1 signal=${2:-TERM} pid
    [[ -f $file ]] || return 0
    pid=$(cat "$file")
    if kill "-$signal" "$pid" 2>/dev/null; then
        for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$file"
}

# cluster_start N: starts the shared services, N instances (the first alone, so that it runs the migrations, then
# the others) and the load balancer; returns once every instance answers its readiness probe.
cluster_start() {
    local instances=${1:-2}
    require_java_and_maven
    apt_ensure haproxy postgresql-client curl
    [[ -f "$(app_jar 2>/dev/null || true)" ]] || build_app -Dmaven.test.skip=true
    mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/chain"
    echo "$instances" > "$CLUSTER_DIR/instances"

    pg_start "$CLUSTER_DIR/postgres" "$CLUSTER_PG_PORT" "$CLUSTER_DATABASE"
    es_start "$CLUSTER_ES_STATE" "$CLUSTER_ES_PORT"
    echo "$ES_STATE" > "$CLUSTER_DIR/es-state"
    contracts_ready
    anvil_start "$CLUSTER_ANVIL_PORT" "$CLUSTER_DIR/chain/anvil.log" --block-time 1 \
        --state "$CLUSTER_DIR/chain/anvil-state.json" --state-interval 10
    echo "$ANVIL_PID" > "$CLUSTER_DIR/pids/anvil.pid"
    # CLUSTER_FUND: wallets (comma-separated) given AIC at deployment, e.g. a scenario's buyers.
    BASE_URI="$(cluster_url)/api/nft/" chain_deploy "$CLUSTER_DIR/chain/deployment.json" "${CLUSTER_FUND:-}"
    s3_start "$CLUSTER_DIR/s3" "$CLUSTER_S3_PORT" "$CLUSTER_BUCKET"
    echo "$S3_PID" > "$CLUSTER_DIR/pids/s3.pid"
    # What every instance must share: the master key that wraps the data keys (and the database, bucket, chain keys).
    [[ -f "$CLUSTER_DIR/master.key" ]] || (umask 077 && head -c 32 /dev/urandom | base64 > "$CLUSTER_DIR/master.key")
    # ... and the secret that signs the prediction calls one instance forwards to another (serving across instances).
    [[ -f "$CLUSTER_DIR/instance.secret" ]] || (umask 077 && head -c 32 /dev/urandom | base64 > "$CLUSTER_DIR/instance.secret")

    cluster_app_start 1
    cluster_app_wait 1
    for ((i = 2; i <= instances; i++)); do cluster_app_start "$i"; done
    for ((i = 2; i <= instances; i++)); do cluster_app_wait "$i"; done
    cluster_lb_start "$instances"
}

# cluster_app_start I: starts instance I in the background (its log is appended to, so that a restart keeps what
# the killed process wrote).
cluster_app_start() {
    local i=$1 port
    port=$(cluster_app_port "$i")
    mkdir -p "$CLUSTER_DIR/app-$i"
    # Behind the load balancer: the client's address comes from X-Forwarded-For (rate limits count per client),
    # which Tomcat takes only from loopback and private addresses.
    PORT=$port PLAZA_DATA_DIR="$CLUSTER_DIR/app-$i" \
        PLAZA_DB_URL="jdbc:postgresql://127.0.0.1:$CLUSTER_PG_PORT/$CLUSTER_DATABASE" PLAZA_DB_USER=postgres PLAZA_DB_PASSWORD= \
        PLAZA_MASTER_KEY="$(cat "$CLUSTER_DIR/master.key")" PLAZA_PUBLIC_URL="$(cluster_url)" \
        PLAZA_INSTANCE_SECRET="$(cat "$CLUSTER_DIR/instance.secret")" PLAZA_INSTANCE_URL="$(cluster_app_url "$i")" \
        PLAZA_SEARCH_ES_URL="http://127.0.0.1:$CLUSTER_ES_PORT" \
        PLAZA_BLOB_S3_ENDPOINT="http://127.0.0.1:$CLUSTER_S3_PORT" PLAZA_BLOB_S3_BUCKET=$CLUSTER_BUCKET \
        PLAZA_BLOB_S3_ACCESS_KEY=$S3_ACCESS_KEY PLAZA_BLOB_S3_SECRET_KEY=$S3_SECRET_KEY \
        PLAZA_CHAIN_RPC_URL="http://127.0.0.1:$CLUSTER_ANVIL_PORT" PLAZA_CHAIN_PUBLIC_RPC_URL="http://127.0.0.1:$CLUSTER_ANVIL_PORT" \
        PLAZA_CHAIN_ID=31337 PLAZA_CHAIN_DEPLOYMENT="$CLUSTER_DIR/chain/deployment.json" \
        PLAZA_CHAIN_OPERATOR_KEY=$ANVIL_KEY_0 PLAZA_CHAIN_ESCROW_OPERATOR_KEY=$ANVIL_KEY_7 PLAZA_REWARDS_OPERATOR_WALLETS=$OPERATOR_WALLETS \
        SERVER_FORWARD_HEADERS_STRATEGY=native \
        java ${CLUSTER_JAVA_OPTS:--Xmx1g} -jar "$(app_jar)" >> "$(cluster_app_log "$i")" 2>&1 &
    echo $! > "$CLUSTER_DIR/pids/app-$i.pid"
    disown $!   # stopped through its pid file; no job report when it is killed
}

cluster_app_wait() {
    wait_for_health "$(cluster_app_url "$1")" 300 "$(cat "$CLUSTER_DIR/pids/app-$1.pid")" \
        || { tail -n 40 "$(cluster_app_log "$1")" >&2; return 1; }
}

# cluster_app_stop I [SIGNAL]: stops instance I (TERM: a graceful shutdown; KILL: as a crash would).
cluster_app_stop() {
    pid_file_kill "$CLUSTER_DIR/pids/app-$1.pid" "${2:-TERM}"
}

# cluster_lb_start N: HAProxy in front of instances 1..N, round robin; an instance is taken out of the rotation
# when its readiness probe fails twice (2 s apart) and back when it passes twice. Event streams (SSE) stay open:
# the server timeout is longer than the app's keep-alive.
cluster_lb_start() {
    local instances=$1 cfg="$CLUSTER_DIR/haproxy.cfg"
    {
        cat <<CFG
global
    maxconn 4096
defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout http-request 30s
    timeout http-keep-alive 10s
frontend plaza
    bind 127.0.0.1:$CLUSTER_LB_PORT
    # The instances' own API (signed forwarded calls) is for the instances, not the public.
    http-request deny deny_status 404 if { path_beg /internal/ }
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /actuator/health/readiness
    http-check expect status 200
    # Which instance answered, for the scenario test and anyone debugging through the load balancer.
    http-response set-header X-Served-By %[srv_name]
CFG
        for ((i = 1; i <= instances; i++)); do
            echo "    server app$i 127.0.0.1:$(cluster_app_port "$i") check inter 2s fall 2 rise 2"
        done
    } > "$cfg"
    haproxy -c -q -f "$cfg"
    haproxy -D -f "$cfg" -p "$CLUSTER_DIR/pids/haproxy.pid"
}

# cluster_stop: stops whatever of the cluster runs (safe to call twice, or after a failed start).
cluster_stop() {
    pid_file_kill "$CLUSTER_DIR/pids/haproxy.pid"
    local f
    for f in "$CLUSTER_DIR"/pids/app-*.pid; do [[ -e $f ]] && pid_file_kill "$f"; done
    pid_file_kill "$CLUSTER_DIR/pids/s3.pid"
    if [[ -f "$CLUSTER_DIR/pids/anvil.pid" ]]; then
        anvil_stop "$(cat "$CLUSTER_DIR/pids/anvil.pid")"
        rm -f "$CLUSTER_DIR/pids/anvil.pid"
    fi
    if [[ -f "$CLUSTER_DIR/es-state" ]]; then
        ES_PID_FILE="$(cat "$CLUSTER_DIR/es-state")/elasticsearch.pid" es_stop
        rm -f "$CLUSTER_DIR/es-state"
    fi
    pg_stop "$CLUSTER_DIR/postgres"
}
