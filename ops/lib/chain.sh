# Local chain for ops/run and ops/test: anvil from npm (contracts/node_modules), the contracts built
# with forge and deployed with contracts/scripts/deploy.js. Source after common.sh.

ANVIL="$ROOT/contracts/node_modules/.bin/anvil"
# Anvil's well-known dev accounts (from its default mnemonic; worthless outside a local chain).
ANVIL_KEY_0=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
ANVIL_ADDRESS_0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
# The escrows' operator (settles jobs, pays prizes): another account than the minter (account 0),
# so that one stolen key does less (contracts/README.md, "Keys").
ANVIL_KEY_7=0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356
ANVIL_ADDRESS_7=0x14dC79964da2C08b23698B3D3cc7Ca32193d9955
# ops/test's treasury (the market's and escrows' fees): an account apart from the deployer, the ecosystem wallet whose
# balance every published reward epoch draws on, so that a browser test sees the fee alone arrive.
ANVIL_ADDRESS_6=0x976EA74026E726554dB657fA54763abd0C3a0aa9
# The operator's own wallets, which fund members as a matter of course (the deployer is the ecosystem wallet, the
# treasury and the demo wallets' funder): Proof of Value's funding-link rule ignores them (PLAZA_REWARDS_OPERATOR_WALLETS).
OPERATOR_WALLETS=$ANVIL_ADDRESS_0,$ANVIL_ADDRESS_7
# Demo wallets: alice's and bob's (anvil accounts 8 and 9; the browser tests sign in with 1 and 2).
DEMO_WALLETS=0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f,0xa0Ee7A142d267C1f36714E4a8F75612F20a79720
# Wallets of two members of ops/test's browser tests that no other test uses (anvil accounts 3 and 4, RewardsClaimTest's
# creator and buyer), funded by the deployer as the demo wallets are: nothing else moves AIC between them, so their uses
# of each other score whatever the other tests did before.
UI_TEST_WALLETS=0x90F79bf6EB2c4f870365E785982E1f101E93b906,0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65

contracts_ready() {
    if [[ ! -x $ANVIL || ! -d "$ROOT/contracts/node_modules/ethers" ]]; then
        (cd "$ROOT/contracts" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    # Every time: forge rebuilds only what changed (a second), and a checkout with new contracts needs their artifacts.
    (cd "$ROOT/contracts" && node_modules/.bin/forge build --quiet)
}

# anvil_start PORT LOG [extra anvil args...]: starts anvil, waits until it answers; sets ANVIL_URL and ANVIL_PID.
# Anvil writes every block's state it no longer holds in memory (past its 500 latest) to a directory of its own, and
# never deletes it, not even when stopped with TERM (75 GB after a few days of test runs filled this machine's disk;
# ops/run mines a block a second): keep only the latest 256, each anvil in a directory named on its command line
# (--cache-path), which anvil_stop deletes, and delete at each start the ones left by anvils killed a day or more
# ago. Nothing here reads state at old blocks; reorgs and snapshots are recent.
ANVIL_CACHE_BASE="$HOME/.foundry/anvil/tmp"
anvil_start() {
    local port=$1 log=$2 cache
    shift 2
    anvil_prune_caches
    cache=$(mktemp -d "$ANVIL_CACHE_BASE/plaza-$port-XXXXXX")
    "$ANVIL" --host 127.0.0.1 --port "$port" --max-persisted-states 256 --cache-path "$cache" "$@" > "$log" 2>&1 &
    ANVIL_PID=$!
    ANVIL_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 50); do
        if curl -sf -X POST -H 'Content-Type: application/json' \
            --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$ANVIL_URL" > /dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "anvil did not start; see $log" >&2
    return 1
}

# anvil_cache_of PID: the state directory (--cache-path) on the command line of the anvil running as PID; empty if
# PID is not a running anvil. Read from /proc, so any shell can stop an anvil by its pid alone (ops/cluster stop).
anvil_cache_of() {
    [[ $(cat "/proc/$1/comm" 2>/dev/null) == anvil ]] || return 0
    tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | sed -n '/^--cache-path$/{n;p;q}'
}

# anvil_stop [PID]: stops the anvil PID (ANVIL_PID by default) with TERM (it writes its --state file on the way
# out), waits until it has exited and deletes its state directory. Other anvils, and their directories, are left.
anvil_stop() {
    local pid=${1:-${ANVIL_PID:-}} cache
    [[ -n $pid ]] || return 0
    # Gone already, or the pid is another process's by now.
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == anvil ]] || return 0
    cache=$(anvil_cache_of "$pid")
    kill "$pid" 2>/dev/null || true
    # A child of this shell is waited for (else it lingers as a zombie, which kill -0 still finds); another is polled.
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || kill -KILL "$pid"
    [[ $cache != "$ANVIL_CACHE_BASE"/plaza-* ]] || rm -rf "$cache"
}

# anvil_prune_caches: deletes the state directories in ANVIL_CACHE_BASE untouched for a day, but for those of
# running anvils: ours (plaza-*) by the running anvils' command lines (a long-lived anvil writes into a subdirectory,
# so its own stays old), and any other (anvil's default anvil-state-*) by age alone, since anvil rewrites it with
# each state it keeps.
anvil_prune_caches() {
    mkdir -p "$ANVIL_CACHE_BASE"
    local live=() pid dir
    for pid in $(pgrep -x anvil || true); do live+=("$(anvil_cache_of "$pid")"); done
    while IFS= read -r dir; do
        [[ " ${live[*]} " == *" $dir "* ]] || rm -rf "$dir"
    done < <(find "$ANVIL_CACHE_BASE" -mindepth 1 -maxdepth 1 -type d -mmin +1440)
}

# chain_deploy FILE [fund addresses]: deploys the contracts unless FILE names a deployment whose
# contracts all have, on the running chain, the code of the ones built here (scripts/check-deployment.js;
# so ops/run's data/chain gets the current contracts after any change to them, and again if the chain
# lost its state); the plaza's minter is anvil account 0, the escrows' operator account 7, funded too: its AIC is the
# float the plaza pays audits from (AuditPayments).
chain_deploy() {
    local file=$1 fund=${2:+$2,}$ANVIL_ADDRESS_7
    if [[ -f $file ]]; then
        if (cd "$ROOT/contracts" && node scripts/check-deployment.js --rpc "$ANVIL_URL" --file "$file"); then
            return 0
        fi
        echo "Deploying the current contracts." >&2
    fi
    # Once more after a failure: under load a loaded anvil once answered a deployment's transaction "already imported"
    # (sent twice by the client), which ends the script; the file is written only by a deployment that completed.
    local attempt
    for attempt in 1 2; do
        (cd "$ROOT/contracts" && node scripts/deploy.js --rpc "$ANVIL_URL" --key "$ANVIL_KEY_0" --minter "$ANVIL_ADDRESS_0" \
            --operator "$ANVIL_ADDRESS_7" \
            --out "$file" ${fund:+--fund "$fund"} > /dev/null) && return 0
        echo "Deploying the contracts failed (attempt $attempt of 2)." >&2
    done
    return 1
}
