# Shared by ops/run and ops/test: install what is missing, once, and helpers to start the app.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MVN=(mvn -B --no-transfer-progress)

# apt_ensure PACKAGE... : installs the Debian packages that are not installed yet.
apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        echo "Installing Debian packages: ${missing[*]}" >&2
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

require_java_and_maven() {
    command -v java >/dev/null || apt_ensure openjdk-17-jdk-headless
    command -v mvn >/dev/null || apt_ensure maven
}

# build_app [extra maven args]: packages the web app jar (tests skipped unless asked otherwise).
# The build's output (web3j's code generator prints even under -q) goes to target/build.log and
# is shown only if the build fails, so that benches print their figures first.
build_app() {
    mkdir -p "$ROOT/target"
    (cd "$ROOT" && "${MVN[@]}" -q "$@" package > "$ROOT/target/build.log" 2>&1) || {
        cat "$ROOT/target/build.log" >&2
        return 1
    }
}

app_jar() {
    ls "$ROOT"/target/plaza-*.jar | grep -v original | head -n 1
}

# worker_jar_build: packages gpu-worker/target/gpu-worker.jar (tests skipped), output as build_app's.
worker_jar_build() {
    mkdir -p "$ROOT/target"
    (cd "$ROOT/gpu-worker" && "${MVN[@]}" -q -DskipTests package > "$ROOT/target/worker-build.log" 2>&1) || {
        cat "$ROOT/target/worker-build.log" >&2
        return 1
    }
}

# demo_worker_start PLAZA_URL TOKEN_FILE DATA_DIR: starts the worker of the demo offer on this machine
# (its GPUs if it has usable ones, else the CPU) in the background, log in DATA_DIR/worker.log; sets
# WORKER_PID. Does nothing when the token file is missing (a data directory seeded without it).
demo_worker_start() {
    local url=$1 token_file=$2 data_dir=$3
    [[ -f $token_file ]] || return 0
    java -jar "$ROOT/gpu-worker/target/gpu-worker.jar" --plaza "$url" --token-file "$token_file" \
        --cache "$data_dir/worker-cache" > "$data_dir/worker.log" 2>&1 &
    WORKER_PID=$!
    echo "Demo worker started (log: $data_dir/worker.log)"
}

# wait_for_health URL SECONDS PID: waits until the app answers UP, or fails if it died.
wait_for_health() {
    local url=$1 limit=$2 pid=$3
    for ((i = 0; i < limit; i++)); do
        if curl -fsS "$url/actuator/health" 2>/dev/null | grep -q '"UP"'; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { echo "The app exited before it was ready" >&2; return 1; }
        sleep 1
    done
    echo "The app was not ready after ${limit}s" >&2
    return 1
}
